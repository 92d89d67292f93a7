/**
 * `lightspeed boost --exit NODE_ID` as a child process (the built CLI; `npm test` builds first) through
 * three relays on loopback: the entry is killed mid-session, the CLI reports the move to the next entry,
 * the game keeps getting replies, and the game server sees one source address throughout. `--exit auto`
 * says which exit it chose and why; against a relay that is not a mesh node it boosts through that relay
 * as without --exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';

import { freeUdpPorts, startMeshLab, startTestRelay, type MeshLab } from '@lightspeed/proxy-server';
import { EchoServer } from '@lightspeed/shared/node';
import { afterEach, describe, expect, it } from 'vitest';

import { waitFor } from '../../test-support/wait.js';

const BIN = fileURLToPath(new URL('../../../bin/lightspeed.js', import.meta.url));

const running: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const c of cleanups.splice(0).reverse()) await c();
});

function run(args: string[]): {
  events: Record<string, unknown>[];
  child: ChildProcess;
  stderr: () => string;
} {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  const events: Record<string, unknown>[] = [];
  let buf = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    for (const line of parts)
      if (line.startsWith('{')) events.push(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { events, child, stderr: () => err };
}

describe('lightspeed boost --exit', () => {
  it('survives its entry being killed; the game server sees one source address', async () => {
    const lab: MeshLab = await startMeshLab({ nodes: ['e1', 'e2', 'x'], probeIntervalMs: 100 });
    cleanups.push(() => lab.stop());
    const echo = await EchoServer.start();
    cleanups.push(() => echo.stop());
    const x = lab.relay('x').mesh!;
    await waitFor(() => x.reachable('e1') && x.reachable('e2'), 10_000, 'mesh routes');
    const [localPort] = await freeUdpPorts(1);
    const { events, stderr } = run([
      'boost',
      '--server',
      `127.0.0.1:${echo.port}`,
      '--relay',
      `127.0.0.1:${lab.relay('e1').dataPort}`,
      '--relay',
      `127.0.0.1:${lab.relay('e2').dataPort}`,
      '--exit',
      'x',
      '--local-port',
      String(localPort),
      '--token',
      '0',
      '--keepalive-ms',
      '50',
      '--json',
    ]);
    await waitFor(() => events.some((e) => e.type === 'mesh'), 20_000, 'the CLI to start').catch(
      (err: Error) => {
        throw new Error(`${err.message}; stderr: ${stderr()}`);
      },
    );

    const game = dgram.createSocket('udp4');
    cleanups.push(() => new Promise((r) => game.close(() => r())));
    const got = new Set<number>();
    game.on('message', (m) => got.add(m.readUInt16BE(0)));
    await new Promise<void>((r) => game.bind(0, '127.0.0.1', () => r()));
    let sent = 0;
    const sendSome = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++, sent++) {
        const b = Buffer.alloc(8);
        b.writeUInt16BE(sent, 0);
        game.send(b, localPort, '127.0.0.1');
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    await sendSome(40);
    await waitFor(() => got.size === 40, 10_000, '40 replies');
    const sources = [...echo.peers];
    expect(sources).toHaveLength(1);

    await lab.relay('e1').stop();
    const moved = (): boolean =>
      events.some((e) => e.type === 'mesh-entry' && String(e.to).endsWith(`:${lab.relay('e2').dataPort}`));
    while (!moved() && sent < 2000) await sendSome(10);
    expect(moved()).toBe(true);
    const from = sent;
    await sendSome(40);
    await waitFor(
      () => [...Array(sent - from).keys()].every((k) => got.has(from + k)),
      10_000,
      'every reply after the move',
    );
    expect([...echo.peers]).toEqual(sources);
  });

  it('--exit auto: says which exit and why; with a relay that is not a mesh node, one relay as before', async () => {
    const lab: MeshLab = await startMeshLab({ nodes: ['e1', 'x'], probeIntervalMs: 100 });
    cleanups.push(() => lab.stop());
    const plain = await startTestRelay();
    cleanups.push(() => plain.stop());
    const echo = await EchoServer.start();
    cleanups.push(() => echo.stop());
    await waitFor(() => lab.relay('e1').mesh!.reachable('x'), 10_000, 'mesh routes');
    const boost = (relay: number) =>
      run([
        'boost',
        '--server',
        `127.0.0.1:${echo.port}`,
        '--relay',
        `127.0.0.1:${relay}`,
        '--exit',
        'auto',
        '--token',
        '0',
        '--json',
      ]);
    // Nothing measured yet: the entry is its own exit, and the CLI says so.
    const mesh = boost(lab.relay('e1').dataPort);
    await waitFor(() => mesh.events.some((e) => e.type === 'mesh'), 20_000, 'the mesh boost');
    const chosen = mesh.events.find((e) => e.type === 'mesh-exit')!;
    expect(chosen.exit).toBe('e1');
    expect(String(chosen.why)).toMatch(/no mesh node has measured/);
    expect((chosen.exits as { node: string }[]).map((e) => e.node).sort()).toEqual(['e1', 'x']);

    const single = boost(plain.dataPort);
    await waitFor(() => single.events.some((e) => e.type === 'routes'), 20_000, 'the single-relay boost');
    expect(single.events.find((e) => e.type === 'mesh-exit')).toEqual({
      type: 'mesh-exit',
      exit: null,
      why: 'no entry answered as a mesh node',
    });
    expect(single.events.some((e) => e.type === 'mesh')).toBe(false);
  });
});
