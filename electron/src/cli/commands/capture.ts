/** `lightspeed capture`: carry a running game's own UDP traffic through the best relay, no address needed. */
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import type { Readable, Writable } from 'node:stream';

import type { BoostRequest, CaptureSpec, CaptureStatus, CaptureTargetSpec } from '@lightspeed/shared';
import { numberArg, parseCliArgs } from '@lightspeed/shared/node';
import { readProcProcesses } from '@lightspeed/games';
import { dropPrivileges, loadNative } from '@lightspeed/native';

import { checkCapture } from '../../engine/capture/capture-check.js';
import { matchTarget, validateTarget } from '../../engine/capture/capture-target.js';
import { TrafficWatch } from '../../engine/capture/linux/traffic-watch.js';
import { checkCidr } from '../../engine/capture/linux/nft-ruleset.js';
import { cleanupCapture } from '../../engine/capture/linux/linux-capture.js';
import { MlSelector, NearestSelector, SelectorStore, validateBoostRequest } from '../../engine/index.js';
import { invokingUserEnv } from '../../ipc-backend/config-dir.js';
import { UsageError, type Command } from '../command.js';
import { parseExitArgs } from './boost-mesh.js';
import { captureEngine, reportMeshRoute, type MeshArg } from './capture-mesh.js';
import { describeFec } from '../fec-option.js';
import {
  SESSION_OPTIONS,
  openControls,
  makeSelector,
  parseSelectorArg,
  keepSummary,
  parseSessionArgs,
  useSavedRelays,
  printEvents,
  untilEnd,
  untilSignal,
  type SelectorName,
} from './engine-session.js';

const help = `Usage: lightspeed capture (--pid N | --process NAME | --game ID) [--relay HOST:PORT …] [options]
       lightspeed capture (--pid N | --process NAME | --game ID) --watch
       lightspeed capture --check
       lightspeed capture --cleanup

Takes a running game's UDP traffic at the network layer (Linux: nftables tproxy; the game is not
touched), finds its game servers from that traffic, and carries it through the best relay; replies
reach the game as if they came straight from the server. Runs until Ctrl-C, then removes every rule.

Needs CAP_NET_ADMIN and CAP_NET_RAW: run it with sudo (or pkexec); it then drops to your user,
keeping only those two capabilities. --check says what is missing and how to fix it.

Target (one of):
  --pid N                capture this process (and the processes it starts); repeat for several
  --process NAME         capture processes with this name (waits for it to start)
  --game ID              capture a catalogued game's processes (see 'lightspeed games')

Options:
  --relay HOST:PORT      relay data plane; repeat for several (default: the app's relays — your
                         relay list or registry in Settings, and LightSpeed's relay registry)
  --fec MODE             FEC: adaptive (default: v3, v2 K=4 where the relay has no v3), strong,
                         0 = off (header v1), 2..16 = v2, one XOR parity per K packets
  --control HOST:PORT    relay control plane (QUIC) to register with; 'off' to skip (default: every
                         relay host, port 4433)
  --cert-sha256 HEX      pin the control plane's certificate
  --game-id N            game id sent when registering, 0..255 (default 0 = unknown)
  --token N              use this token instead of registering (implies --control off)
  --keepalive-ms N       keepalive period (default 500)
  --selector NAME        ml (default: learned, end-to-end; falls back to nearest, saying why) or nearest
  --explore MODE         how relays that carry no traffic yet learn their leg to the server (ml):
                         probe (default: a few small probes through them, nothing of the game's),
                         copies (copies of the game's datagrams: the server sees them from other
                         relays' addresses, which anti-cheat may dislike), off
  --exclude CIDR         never capture traffic to this IPv4 address or range; repeat for several
  --capture-lan          capture traffic to LAN (RFC 1918) addresses too (default: left alone)
  --exit NODE_ID         relay mesh (docs/mesh.md): the --relay addresses are entries, NODE_ID the mesh
                         node that talks to the game servers; the game server sees one address even
                         when the entry dies. auto: for each server found, the exit with the shortest
                         mesh path + measured leg to it (one relay, as without --exit, when no entry
                         is a mesh node)
  --multipath            with --exit: send every packet through two entries (duplicates dropped)
  --json                 one JSON object per event (the same events as 'boost --json')
  --duration S           stop by itself after S seconds
  --watch                only show which servers the game's UDP talks to and at what rate, once a
                         second (libpcap, passive: no rules, nothing diverted; needs CAP_NET_RAW)
  --request -            read one boost request (JSON, as the app sends it) on stdin instead of the
                         options above, and stop when stdin closes: how the desktop app runs this
                         command as its privileged capture helper (with --json)
  --connect PATH         with --request: talk over the app's pipe (named pipe / Unix socket) instead of
                         stdio, after sending --connect-token TOKEN (an elevated helper on Windows)
  --check                report native module, privileges, nft and kernel tproxy support; exit 0
                         when capture can work
  --cleanup              remove the rules a crashed run left behind
  -h, --help             this text

Example:
  sudo lightspeed capture --game cs2 --relay 198.51.100.2:4434`;

const usage = (m: string): Error => new UsageError(m);

/** The target from --pid / --process / --game; exactly one must be given. */
export function parseTarget(v: { pid?: string[]; process?: string; game?: string }): CaptureTargetSpec {
  const given = [v.pid !== undefined, v.process !== undefined, v.game !== undefined].filter(Boolean).length;
  if (given !== 1) throw new UsageError('give exactly one of --pid N, --process NAME, --game ID');
  if (v.pid !== undefined) {
    return { kind: 'pid', pids: v.pid.map((p) => numberArg(p, 'pid', 0, 1, 2 ** 22, usage, true)) };
  }
  if (v.process !== undefined) {
    if (v.process.trim() === '') throw new UsageError('--process: expected a process name');
    return { kind: 'process', name: v.process };
  }
  return { kind: 'game', gameId: v.game! };
}

/** `--exit` / `--multipath` (checked as for boost), or null without --exit. */
function meshArg(exit: string | undefined, multipath: boolean, relays: number): MeshArg | null {
  const e = parseExitArgs(exit, multipath, relays);
  return e === null ? null : { exit: e, multipath };
}

/** One human line for a capture status change. */
export function captureLine(c: CaptureStatus): string {
  const procs = c.processes.map((p) => `${p.name} (${p.pid})`).join(', ') || '-';
  if (c.phase === 'waiting-for-game') return 'capture: waiting for the game to start…';
  if (c.phase === 'waiting-for-traffic') {
    return `capture: ${procs}, ports ${c.ports.join(', ') || '-'}: waiting for game traffic…`;
  }
  const servers = c.servers.map((s) => `${s.address} (${s.packets} pkts)`).join(', ');
  return `capture: ${procs} → servers ${servers}`;
}

/** uid and gid of whoever ran sudo or pkexec, so the capture process can drop to them. */
async function invokingUser(): Promise<{ uid: number; gid: number } | null> {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(process.env.SUDO_UID ?? process.env.PKEXEC_UID ?? NaN);
  if (!Number.isInteger(uid) || uid <= 0) return null;
  let gid = Number(process.env.SUDO_GID ?? NaN);
  if (!Number.isInteger(gid)) {
    const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
    const line = passwd.split('\n').find((l) => l.split(':')[2] === String(uid));
    gid = Number(line?.split(':')[3] ?? uid);
  }
  return { uid, gid };
}

/** Only what needs the privileges keeps them: from sudo/pkexec, drop to the invoking user now. */
async function dropToInvokingUser(quiet: boolean): Promise<void> {
  const user = await invokingUser();
  if (user === null) return;
  const native = loadNative();
  if (!native.ok) return; // capture itself will say the module is missing
  dropPrivileges(user.uid, user.gid);
  if (!quiet) console.error(`capture: running as uid ${user.uid} with CAP_NET_ADMIN and CAP_NET_RAW only`);
  // The summary, the learned selector and the saved relays are the user's: their config dir, not root's.
  const home = invokingUserEnv(process.env, await readFile('/etc/passwd', 'utf8').catch(() => ''), user.uid);
  if (home === null) return;
  process.env.HOME = home.HOME;
  if (home.XDG_CONFIG_HOME === undefined) delete process.env.XDG_CONFIG_HOME;
  else process.env.XDG_CONFIG_HOME = home.XDG_CONFIG_HOME;
}

/** Reads the first line of `input`. */
function firstLine(input: Readable): Promise<string | null> {
  return new Promise((resolve) => {
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(buf.slice(0, nl));
      else if (buf.length > 1 << 20) done(null);
    };
    const done = (line: string | null): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.pause();
      resolve(line);
    };
    const onEnd = (): void => done(buf === '' ? null : buf);
    input.on('data', onData);
    input.on('end', onEnd);
  });
}

/** Where the app's helper mode talks: stdio, or a pipe the app listens on (an elevated helper's). */
async function helperChannel(connect?: {
  address: string;
  token: string;
}): Promise<{ input: Readable; output: Writable }> {
  if (connect === undefined) return { input: process.stdin, output: process.stdout };
  // Half-open: when the app ends its side, this one stays writable until the rules are removed.
  const socket = net.connect({ path: connect.address, allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(`${connect.token}\n`); // proves to the app that this is the helper it started
  return { input: socket, output: socket };
}

/** The app's helper mode: one request in, JSON events out; stops when its input closes or on a signal. */
async function runRequest(
  keepaliveMs: number,
  selector: SelectorName,
  connect?: { address: string; token: string },
  mesh: MeshArg | null = null,
): Promise<number> {
  const { input, output } = await helperChannel(connect);
  const say = (o: object): void => void output.write(`${JSON.stringify(o)}\n`);
  const line = await firstLine(input);
  let request: BoostRequest;
  try {
    request = JSON.parse(line ?? '') as BoostRequest;
  } catch {
    say({ type: 'start-failed', reason: 'the request on stdin is not JSON' });
    return 2;
  }
  const problem =
    typeof request !== 'object' || request === null || request.capture === undefined
      ? 'the request has no capture target'
      : validateBoostRequest(request);
  if (problem !== null) {
    say({ type: 'start-failed', reason: problem });
    return 2;
  }
  await dropToInvokingUser(true);
  // The app's setting; the helper keeps nothing on disk (it may run as another user), so the learned
  // selector works from its shipped prior here.
  const engine = captureEngine({
    keepaliveMs,
    selector: () =>
      selector === 'nearest' ? new NearestSelector() : new MlSelector({ store: new SelectorStore(null) }),
    mesh,
  });
  engine.subscribe(say);
  reportMeshRoute(engine, say);
  try {
    await engine.start(request);
  } catch (err) {
    say({ type: 'start-failed', reason: err instanceof Error ? err.message : String(err) });
    await engine.stop('start failed');
    return 1;
  }
  say({ type: 'started' });
  const inputClosed = new Promise<string>((resolve) => {
    input.once('end', () => resolve('the app closed the channel'));
    input.once('close', () => resolve('the app closed the channel'));
    input.resume();
  });
  const why = await Promise.race([untilEnd(engine), inputClosed]);
  await engine.stop(why === 'error' ? 'capture failed' : `${why}`);
  if (connect !== undefined) (output as net.Socket).end();
  return why === 'error' ? 1 : 0;
}

/** `--watch`: the game's UDP flows once a second, passively. */
async function watch(target: CaptureTargetSpec, json: boolean, durationS: number | null): Promise<number> {
  const pids = matchTarget(target, await readProcProcesses()).map((p) => p.pid);
  if (pids.length === 0) {
    console.error('lightspeed capture: no such process is running');
    return 1;
  }
  const traffic = new TrafficWatch(pids);
  try {
    await traffic.sample();
  } catch (err) {
    console.error(`lightspeed capture: ${err instanceof Error ? err.message : String(err)}`);
    traffic.close();
    return 1;
  }
  const timer = setInterval(() => {
    traffic.sample().then(
      ({ ports, flows }) => {
        if (json) console.log(JSON.stringify({ type: 'traffic', ports, flows }));
        else {
          const seen = flows.map(
            (f) => `${f.remote} ${f.packetsOut}↑ ${f.packetsIn}↓ pkt/s (port ${f.localPort})`,
          );
          console.log(`ports ${ports.join(', ') || '-'}: ${seen.join('; ') || 'no game traffic seen'}`);
        }
      },
      (err: unknown) =>
        console.error(`lightspeed capture: ${err instanceof Error ? err.message : String(err)}`),
    );
  }, 1000);
  await untilSignal(durationS);
  clearInterval(timer);
  traffic.close();
  return 0;
}

async function check(json: boolean): Promise<number> {
  const checks = await checkCapture();
  const ok = checks.every((c) => c.ok);
  if (json) console.log(JSON.stringify({ ok, checks }));
  else {
    for (const c of checks) {
      console.log(
        `${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(13)} ${c.detail}${c.fix ? `\n     fix: ${c.fix}` : ''}`,
      );
    }
    console.log(ok ? 'capture can work here' : 'capture cannot work here yet');
  }
  return ok ? 0 : 1;
}

const command: Command = {
  summary: "carry a running game's own UDP traffic through the best relay (until Ctrl-C)",
  help,
  async run(argv) {
    const v = parseCliArgs(
      argv,
      {
        pid: { type: 'string', multiple: true },
        process: { type: 'string' },
        game: { type: 'string' },
        exclude: { type: 'string', multiple: true },
        'capture-lan': { type: 'boolean', default: false },
        check: { type: 'boolean', default: false },
        cleanup: { type: 'boolean', default: false },
        request: { type: 'string' },
        connect: { type: 'string' },
        'connect-token': { type: 'string' },
        watch: { type: 'boolean', default: false },
        duration: { type: 'string' },
        exit: { type: 'string' },
        multipath: { type: 'boolean', default: false },
        ...SESSION_OPTIONS,
      },
      usage,
    );
    if (v.check) return check(v.json);
    if (v.cleanup) {
      const r = await cleanupCapture();
      console.log(
        r.table || r.rules > 0
          ? `removed: ${r.table ? 'table inet lightspeed' : ''}${r.table && r.rules > 0 ? ', ' : ''}${r.rules > 0 ? `${r.rules} ip rule(s)` : ''}`
          : 'nothing to remove',
      );
      return 0;
    }
    if (v.request !== undefined) {
      if (v.request !== '-') throw new UsageError("--request: only '-' (stdin) is supported");
      const keepaliveMs = numberArg(v['keepalive-ms'], 'keepalive-ms', 500, 10, 60_000, usage, true);
      if ((v.connect === undefined) !== (v['connect-token'] === undefined))
        throw new UsageError('--connect and --connect-token go together');
      return runRequest(
        keepaliveMs,
        parseSelectorArg(v.selector),
        v.connect === undefined ? undefined : { address: v.connect, token: v['connect-token']! },
        meshArg(v.exit, v.multipath, Infinity), // the request's relays: multipath uses two when it has them
      );
    }
    const target = parseTarget(v);
    const bad = validateTarget(target);
    if (bad !== null) throw new UsageError(bad.replace(/^capture\.target\.\w+: /, ''));
    const duration =
      v.duration === undefined ? null : numberArg(v.duration, 'duration', 0, 1, 86_400, usage, true);
    if (v.watch) return watch(target, v.json, duration);
    const excludes = (v.exclude ?? []).map((e) => {
      try {
        return checkCidr(e);
      } catch (err) {
        throw new UsageError(`--exclude: ${(err as Error).message.replace(/^exclude: /, '')}`);
      }
    });
    const args = parseSessionArgs(v);
    const { relays, fecK, fecAdaptive, gameId, manualToken, keepaliveMs, control, selector, explore } = args;
    const fec = { fecK, ...(fecAdaptive ? { fecAdaptive } : {}) };
    const capture: CaptureSpec = { target, excludes, captureLan: v['capture-lan'] };

    await dropToInvokingUser(v.json);
    // After the drop: the saved relays are the invoking user's.
    const noRelay = await useSavedRelays(args, 'capture');
    if (noRelay !== null) return noRelay;
    const mesh = meshArg(v.exit, v.multipath, relays.length);

    const controls = await openControls(control, 'capture');
    if (controls === null) return 1;
    const engine = captureEngine({ keepaliveMs, selector: () => makeSelector(selector), explore, mesh });
    let lastLine = '';
    printEvents(engine, v.json, (e) => {
      if (e.type !== 'capture') return;
      const line = captureLine(e.capture);
      if (line !== lastLine) console.log(line);
      lastLine = line;
    });
    const kept = keepSummary(engine);
    let failed: string | null = null;
    engine.subscribe((e) => {
      if (e.type === 'state' && e.state.state === 'error') failed = e.state.reason;
    });
    try {
      await engine.start({
        routes: [],
        capture,
        relays,
        ...fec,
        token: manualToken ?? controls.token,
        gameId,
      });
    } catch (err) {
      console.error(`lightspeed capture: ${err instanceof Error ? err.message : String(err)}`);
      await engine.stop('start failed');
      await controls.close();
      return 1;
    }
    if (!v.json) {
      const via = mesh === null ? `FEC ${describeFec(fec)}` : `through the mesh, exit ${mesh.exit}`;
      console.log(`capturing (${via}). Ctrl-C to stop; every rule is removed.`);
    }
    const sig = await untilEnd(engine, duration);
    await engine.stop(`${sig} received`);
    await controls.close();
    await kept();
    if (sig === 'error') {
      console.error(`lightspeed capture: ${failed ?? 'failed'}`);
      return 1;
    }
    return 0;
  },
};

export default command;
