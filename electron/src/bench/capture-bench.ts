/**
 * Capture vs redirect over the same path, in network namespaces (root; otherwise it prints why and
 * measures nothing). One player at 200 B / 128 pps, three paths interleaved in rounds:
 *   direct   — the game sends straight to the server (through the router, no tunnel);
 *   redirect — the game sends to 127.0.0.1:PORT of `lightspeed boost`, which tunnels to the relay;
 *   capture  — the game sends to the server's address and `lightspeed capture --pid` takes it.
 * Reports RTT percentiles, RTT added over direct (median over rounds of the per-round difference) and
 * each engine's CPU during its own rounds. JSON on stdout.
 * Usage: node dist/bench/capture-bench.js [--quick]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';

import { canUseNetns } from '@lightspeed/shared/node';

import { percentile } from '../engine/percentile.js';
import {
  CLI,
  PEERS,
  RELAY_ADDR,
  SERVER_HOST,
  SERVER_PORT,
  startCaptureLab,
} from '../test-support/capture-lab.js';
import { lines, type NextLine } from '../test-support/child-lines.js';

const PPS = 128;
const SIZE = 200;
const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 8;
const PER_ROUND = quick ? 256 : 640; // 2 s or 5 s at 128 pps
const log = (m: string): void => void process.stderr.write(`[capture-bench] ${m}\n`);
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export interface CaptureBenchResult {
  schema: 1;
  generatedAt: string;
  skipped?: string;
  packetSize: number;
  pps: number;
  rounds: number;
  packetsPerRound: number;
  rttMs: Record<Path, { p50: number; p99: number; n: number; lost: number }>;
  addedMs: Record<Exclude<Path, 'direct'>, { p50: number }>;
  /** Added RTT p50 of capture ÷ that of redirect (target ≤ 1.1). */
  captureVsRedirect: number;
  /** Engine CPU over its own rounds, % of one core. */
  cpuPercent: Record<Exclude<Path, 'direct'>, number>;
  cpuCaptureVsRedirect: number;
}

type Path = 'direct' | 'redirect' | 'capture';

/** CPU seconds (user + system) a process has used, from /proc/PID/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

class Client {
  readonly next: NextLine;
  constructor(readonly child: ChildProcess) {
    this.next = lines(child);
  }
  async ready(): Promise<void> {
    await this.next((l) => l.includes('"ready"'));
  }
  async run(host: string, port: number): Promise<{ rtts: number[]; lost: number }> {
    this.child.stdin!.write(`run ${host} ${port} ${PER_ROUND} ${PPS} ${SIZE}\n`);
    return JSON.parse(await this.next((l) => l.startsWith('{"rtts"'), 60_000)) as {
      rtts: number[];
      lost: number;
    };
  }
}

async function main(): Promise<void> {
  if (!canUseNetns()) {
    const result = {
      schema: 1,
      generatedAt: new Date().toISOString(),
      skipped: 'needs root (network namespaces)',
    };
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const net = await startCaptureLab();
  try {
    const spawnClient = (): Client =>
      new Client(net.lab.spawn(net.game, process.execPath, [path.join(PEERS, 'rtt-client.mjs')]));
    const plain = spawnClient();
    const captured = spawnClient();
    await plain.ready();
    await captured.ready();
    const common = ['--relay', RELAY_ADDR, '--control', 'off', '--json', '--fec', '4'];
    const redirect = net.lab.spawn(net.game, process.execPath, [
      CLI,
      'boost',
      '--server',
      `${SERVER_HOST}:${SERVER_PORT}`,
      '--local-port',
      '40000',
      ...common,
    ]);
    const capture = net.lab.spawn(net.game, process.execPath, [
      CLI,
      'capture',
      '--pid',
      String(captured.child.pid),
      ...common,
    ]);
    await lines(redirect)((l) => l.includes('"state":"active"'));
    await lines(capture)((l) => l.includes('"state":"active"'));
    log('engines up; warming up');
    await plain.run('127.0.0.1', 40000);
    await captured.run(SERVER_HOST, SERVER_PORT);
    await plain.run(SERVER_HOST, SERVER_PORT);

    const samples: Record<Path, number[]> = { direct: [], redirect: [], capture: [] };
    const lost: Record<Path, number> = { direct: 0, redirect: 0, capture: 0 };
    const added: Record<'redirect' | 'capture', number[]> = { redirect: [], capture: [] };
    const cpu = { redirect: 0, capture: 0 };
    const time = { redirect: 0, capture: 0 };
    for (let r = 0; r < ROUNDS; r++) {
      const p50: Partial<Record<Path, number>> = {};
      const measure = async (p: Path, client: Client, host: string, port: number, engine?: ChildProcess) => {
        const c0 = engine ? cpuSeconds(engine.pid!) : 0;
        const t0 = performance.now();
        const out = await client.run(host, port);
        if (engine && p !== 'direct') {
          cpu[p] += cpuSeconds(engine.pid!) - c0;
          time[p] += (performance.now() - t0) / 1000;
        }
        samples[p].push(...out.rtts);
        lost[p] += out.lost;
        p50[p] = percentile(out.rtts, 50);
      };
      // Rotate the order so no path always runs first.
      const order: (() => Promise<void>)[] = [
        () => measure('direct', plain, SERVER_HOST, SERVER_PORT),
        () => measure('redirect', plain, '127.0.0.1', 40000, redirect),
        () => measure('capture', captured, SERVER_HOST, SERVER_PORT, capture),
      ];
      for (let i = 0; i < order.length; i++) await order[(i + r) % order.length]!();
      added.redirect.push(p50.redirect! - p50.direct!);
      added.capture.push(p50.capture! - p50.direct!);
      log(
        `round ${r + 1}/${ROUNDS}: direct ${p50.direct!.toFixed(3)} redirect ${p50.redirect!.toFixed(3)} capture ${p50.capture!.toFixed(3)} ms`,
      );
    }
    const stat = (p: Path) => ({
      p50: round3(percentile(samples[p], 50)),
      p99: round3(percentile(samples[p], 99)),
      n: samples[p].length,
      lost: lost[p],
    });
    const addedRedirect = percentile(added.redirect, 50);
    const addedCapture = percentile(added.capture, 50);
    const cpuPercent = {
      redirect: round3((100 * cpu.redirect) / time.redirect),
      capture: round3((100 * cpu.capture) / time.capture),
    };
    const result: CaptureBenchResult = {
      schema: 1,
      generatedAt: new Date().toISOString(),
      packetSize: SIZE,
      pps: PPS,
      rounds: ROUNDS,
      packetsPerRound: PER_ROUND,
      rttMs: { direct: stat('direct'), redirect: stat('redirect'), capture: stat('capture') },
      addedMs: { redirect: { p50: round3(addedRedirect) }, capture: { p50: round3(addedCapture) } },
      captureVsRedirect: round3(addedCapture / addedRedirect),
      cpuPercent,
      cpuCaptureVsRedirect: round3(cpuPercent.capture / cpuPercent.redirect),
    };
    console.log(JSON.stringify(result, null, 2));
    redirect.kill('SIGINT');
    capture.kill('SIGINT');
    await Promise.all([redirect, capture].map((c) => new Promise((r) => c.once('exit', r))));
  } finally {
    await net.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
