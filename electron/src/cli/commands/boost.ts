/** `lightspeed boost`: carry one game server's UDP traffic through the best relay until Ctrl-C. */
import { parseHostPort, type BoostStats, type EngineEvent, type RelayEndpoint } from '@lightspeed/shared';
import { numberArg, parseCliArgs } from '@lightspeed/shared/node';

import { openBoostControl, parseControlAddress } from '../../engine/control/index.js';
import { BoostEngine } from '../../engine/index.js';
import { UsageError, type Command } from '../command.js';
import { describeFec, parseFecOption } from '../fec-option.js';

const help = `Usage: lightspeed boost --server HOST:PORT --relay HOST:PORT [--relay HOST:PORT ...] [options]

Opens a local UDP port on 127.0.0.1; point the game (or any UDP client) at it instead of the game
server. Packets travel to the game server through the best relay (probed at start; failover to the
next on 3 missed keepalives) and replies come back on the same port. Runs until Ctrl-C.

Options:
  --server HOST:PORT     game server to reach (required)
  --relay HOST:PORT      relay data plane; repeat for several (required)
  --local-port N         local port to listen on (default: any free port, printed at start)
  --fec MODE             FEC: adaptive (default: v3 repairs sized to the measured loss; v2 K=4
                         where the relay has no v3), strong (adaptive, larger budget), 0 = off
                         (header v1), 2..16 = v2, one XOR parity per K packets
  --control HOST:PORT    relay control plane (QUIC) to register with; 'off' to skip
                         (default: every relay host, port 4433, each giving the token for its own
                         relays). A relay with no control plane is reported and used token-less
                         (only relays without require_auth)
  --cert-sha256 HEX      pin the control plane's certificate (see the relay's /health cert_sha256);
                         with a pin only --control (default: the first relay's host) is registered
  --game-id N            game id sent when registering, 0..255 (default 0 = unknown)
  --token N              use this token instead of registering (implies --control off)
  --keepalive-ms N       keepalive period (default 500)
  --json                 one JSON object per event instead of a status line per second
  -h, --help             this text

Example:
  lightspeed boost --server 203.0.113.7:7777 --relay 198.51.100.2:4434 --relay 198.51.100.9:4434`;

const usage = (m: string): Error => new UsageError(m);

/** Parses repeated `--relay HOST:PORT` values. */
export function parseRelays(values: string[] | undefined): RelayEndpoint[] {
  if (values === undefined || values.length === 0) throw new UsageError('--relay HOST:PORT is required');
  return values.map((v) => {
    const hp = parseHostPort(v);
    if (hp === null) throw new UsageError(`--relay: expected HOST:PORT, got '${v}'`);
    return hp;
  });
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** One human line per stats sample. */
export function statusLine(state: string, s: BoostStats, prev: BoostStats | null, intervalS: number): string {
  const rtt = s.rtt === null ? 'rtt   -  ' : `rtt ${s.rtt.p50.toFixed(1)} ms (p95 ${s.rtt.p95.toFixed(1)})`;
  const upRate = Math.round((s.packetsUp - (prev?.packetsUp ?? 0)) / intervalS);
  const downRate = Math.round((s.packetsDown - (prev?.packetsDown ?? 0)) / intervalS);
  const recovered = s.fecRecovered - (prev?.fecRecovered ?? 0);
  return [
    new Date(s.atMs).toISOString().slice(11, 19),
    state.padEnd(12),
    `via ${s.relay?.id ?? '-'}`,
    rtt,
    `jitter ${s.jitterMs.toFixed(1)} ms`,
    `keepalive loss ${pct(s.lossUp)}  loss down ${pct(s.lossDown)} → ${pct(s.lossDownAfterFec)} after FEC`,
    `recovered ${recovered}`,
    `${upRate}↑ ${downRate}↓ pkt/s`,
    `flows ${s.flows ?? 0}`,
  ].join('  ');
}

/** Resolves on the first SIGINT or SIGTERM, or after `durationS` seconds when given; cleans up after itself. */
export function untilSignal(durationS: number | null = null): Promise<string> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | null = null;
    const done = (why: string) => () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      if (timer !== null) clearTimeout(timer);
      resolve(why);
    };
    const onInt = done('SIGINT');
    const onTerm = done('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    if (durationS !== null) timer = setTimeout(done('duration'), durationS * 1000);
  });
}

const command: Command = {
  summary: 'carry a game server’s UDP traffic through the best relay (until Ctrl-C)',
  help,
  async run(argv) {
    const v = parseCliArgs(
      argv,
      {
        server: { type: 'string' },
        relay: { type: 'string', multiple: true },
        'local-port': { type: 'string' },
        fec: { type: 'string' },
        token: { type: 'string' },
        control: { type: 'string' },
        'cert-sha256': { type: 'string' },
        'game-id': { type: 'string' },
        'keepalive-ms': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      usage,
    );
    if (v.server === undefined) throw new UsageError('--server HOST:PORT is required');
    if (parseHostPort(v.server) === null)
      throw new UsageError(`--server: expected HOST:PORT, got '${v.server}'`);
    const relays = parseRelays(v.relay);
    const localPort = numberArg(v['local-port'], 'local-port', 0, 0, 65535, usage, true);
    const fec = parseFecOption(v.fec);
    const gameId = numberArg(v['game-id'], 'game-id', 0, 0, 255, usage, true);
    const pin = v['cert-sha256'];
    if (pin !== undefined && !/^([0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}$/.test(pin))
      throw new UsageError(`--cert-sha256: expected 64 hex digits, got '${pin}'`);
    const manualToken = v.token !== undefined ? numberArg(v.token, 'token', 0, 0, 255, usage, true) : null;
    const keepaliveMs = numberArg(v['keepalive-ms'], 'keepalive-ms', 500, 10, 60_000, usage, true);
    const controlArg = manualToken !== null ? 'off' : v.control;
    try {
      parseControlAddress(controlArg, relays);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    // Tokens are per relay. By default every relay host is registered with (port 4433), so a failover to
    // another relay that requires auth still carries a live token; --control (or a pin) names one plane.
    const hosts = [...new Set(relays.map((r) => r.host))];
    const targets = controlArg === undefined && pin === undefined && hosts.length > 1 ? hosts : [controlArg];
    const log = (l: string): void => console.error(l);
    const opened = await Promise.allSettled(
      targets.map((control) => openBoostControl({ control, relays, gameId, certSha256: pin }, log)),
    );
    const controls = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const closeControls = async (): Promise<void> => {
      for (const c of controls) await c.session?.close();
    };
    const failed = opened.find((o) => o.status === 'rejected');
    if (failed) {
      console.error(`lightspeed boost: control plane: ${(failed.reason as Error).message}`);
      await closeControls();
      return 1;
    }
    if (targets.length > 1) {
      hosts.forEach((host, i) => {
        for (const r of relays) if (r.host === host) r.token = controls[i]!.token;
      });
    }
    const token = manualToken ?? (targets.length > 1 ? 0 : controls[0]!.token);

    const engine = new BoostEngine({ keepaliveMs });
    let prev: BoostStats | null = null;
    engine.subscribe((e: EngineEvent) => {
      if (v.json) {
        console.log(JSON.stringify(e));
        return;
      }
      if (e.type === 'stats') {
        console.log(statusLine(engine.getState().state, e.stats, prev, 1));
        prev = e.stats;
      } else if (e.type === 'failover') {
        console.log(`failover: ${e.from.id} → ${e.to?.id ?? '(no other relay; retrying)'} (${e.reason})`);
      } else if (e.type === 'relays') {
        for (const r of e.relays) {
          const rtt =
            r.rttMedianMs === null ? 'unreachable' : `${r.rttMedianMs.toFixed(1)} ms, loss ${pct(r.loss)}`;
          console.log(`relay ${r.relay.id}: ${rtt}`);
        }
      } else if (e.state.state === 'error') {
        console.error(`error: ${e.state.reason}`);
      }
    });
    try {
      await engine.start({ routes: [{ server: v.server, localPort }], relays, ...fec, token, gameId });
    } catch (err) {
      console.error(`lightspeed boost: ${err instanceof Error ? err.message : String(err)}`);
      await engine.stop('start failed');
      await closeControls();
      return 1;
    }
    const route = engine.getRoutes()[0]!;
    if (!v.json) {
      console.log(
        `boosting: point the game at 127.0.0.1:${route.localPort} → relay → ${route.server} (FEC ${describeFec(fec)}). Ctrl-C to stop.`,
      );
    } else {
      console.log(JSON.stringify({ type: 'routes', routes: engine.getRoutes() }));
    }
    const sig = await untilSignal();
    await engine.stop(`${sig} received`);
    await closeControls();
    return 0;
  },
};

export default command;
