/** `lightspeed boost`: carry one game server's UDP traffic through the best relay until Ctrl-C. */
import type { BoostRequest } from '@lightspeed/shared';
import { numberArg, parseCliArgs } from '@lightspeed/shared/node';

import { BoostEngine } from '../../engine/index.js';
import { UsageError, type Command } from '../command.js';
import { describeFec } from '../fec-option.js';
import { hostPortArg } from '../host-port.js';
import { NOT_A_MESH, parseExitArgs, runMeshBoost } from './boost-mesh.js';
import {
  SESSION_OPTIONS,
  type Controls,
  openControls,
  makeSelector,
  keepSummary,
  parseSessionArgs,
  printEvents,
  untilEnd,
  useSavedRelays,
} from './engine-session.js';

const help = `Usage: lightspeed boost --server HOST:PORT [--relay HOST:PORT ...] [options]

Opens a local UDP port on 127.0.0.1; point the game (or any UDP client) at it instead of the game
server. Packets travel to the game server through the best relay (probed at start; failover to the
next on 3 missed keepalives) and replies come back on the same port. Runs until Ctrl-C.

At the start and every 30 s, 5 small probes go to the game server directly and 5 through the relay in
use, to measure "without LightSpeed X ms → with Y ms" (the summary's "saved vs direct"); a server that
answers no such probe leaves it "not measured". When it stops, the session's summary is printed and kept
('lightspeed sessions' lists the last 50).

Options:
  --server HOST:PORT     game server to reach (required)
  --relay HOST:PORT      relay data plane; repeat for several (default: the app's relays — your
                         relay list or registry in Settings, and LightSpeed's relay registry)
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
  --selector NAME        ml (default): ranks relays by predicted end-to-end RTT (client → relay →
                         server) from probes, the relays' own measured legs to the server and past
                         sessions, re-ranks every 2 s and moves when another relay is clearly better;
                         falls back to nearest, saying why, when it knows nothing of the server side.
                         nearest: client → relay RTT only, chosen once
  --explore MODE         how relays that carry no traffic yet learn their leg to the server (ml):
                         probe (default: a few small probes through them, nothing of the game's),
                         copies (copies of the game's datagrams: the server sees them from other
                         relays' addresses, which anti-cheat may dislike), off
  --exit NODE_ID         relay mesh (docs/mesh.md): the --relay addresses are entries, NODE_ID the mesh
                         node that talks to the game server; the session survives its entry dying.
                         auto: the exit with the shortest mesh path + measured leg to the server
                         (through one relay, as without --exit, when no entry is a mesh node)
  --multipath            with --exit: send every packet through two entries (duplicates dropped)
  --json                 one JSON object per event instead of a status line per second
  -h, --help             this text

Example:
  lightspeed boost --server 203.0.113.7:7777 --relay 198.51.100.2:4434 --relay 198.51.100.9:4434`;

const usage = (m: string): Error => new UsageError(m);

/** The control plane refused us; openControls has already said why. */
class ControlRefused extends Error {}

const command: Command = {
  summary: 'carry a game server’s UDP traffic through the best relay (until Ctrl-C)',
  help,
  async run(argv) {
    const v = parseCliArgs(
      argv,
      {
        server: { type: 'string' },
        'local-port': { type: 'string' },
        exit: { type: 'string' },
        multipath: { type: 'boolean', default: false },
        ...SESSION_OPTIONS,
      },
      usage,
    );
    if (v.server === undefined) throw new UsageError('--server HOST:PORT is required');
    hostPortArg('server', v.server);
    const localPort = numberArg(v['local-port'], 'local-port', 0, 0, 65535, usage, true);
    const args = parseSessionArgs(v);
    const noRelay = await useSavedRelays(args, 'boost');
    if (noRelay !== null) return noRelay;
    const { relays, fecK, fecAdaptive, gameId, manualToken, keepaliveMs, control, selector, explore } = args;
    const exit = parseExitArgs(v.exit, v.multipath, relays.length);
    if (exit !== null) {
      const server = hostPortArg('server', v.server);
      const code = await runMeshBoost({
        server,
        relays,
        exit,
        multipath: v.multipath,
        localPort,
        keepaliveMs,
        manualToken,
        control,
        json: v.json,
      });
      if (code !== NOT_A_MESH) return code;
    }
    const fec = { fecK, ...(fecAdaptive ? { fecAdaptive } : {}) };
    // Registration runs while the local port binds: the game can be pointed at it at once, and the
    // relay is contacted once registration has answered (or a relay without a control plane timed out).
    const registering = openControls(control, 'boost');
    let controls: Controls | null = null;
    const request: BoostRequest = { routes: [{ server: v.server, localPort }], relays, ...fec, gameId };
    const engine = new BoostEngine({ keepaliveMs, selector: makeSelector(selector), explore });
    printEvents(engine, v.json);
    const kept = keepSummary(engine);
    try {
      await engine.start(request, {
        afterBind: async () => {
          const port = engine.getRoutes()[0]?.localPort;
          if (!v.json && control.control !== 'off') {
            console.log(`listening on 127.0.0.1:${port}; registering with the relay's control plane…`);
          }
          controls = await registering;
          if (controls === null) throw new ControlRefused();
          request.token = manualToken ?? controls.token;
        },
      });
    } catch (err) {
      if (!(err instanceof ControlRefused)) {
        console.error(`lightspeed boost: ${err instanceof Error ? err.message : String(err)}`);
      }
      await engine.stop('start failed');
      await (controls ?? (await registering))?.close();
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
    // Ends on Ctrl-C, or by itself when every relay stays unreachable (the error is printed): exit 1.
    const sig = await untilEnd(engine);
    await engine.stop(`${sig} received`);
    await (controls as Controls | null)?.close();
    await engine.learned();
    await kept();
    return sig === 'error' ? 1 : 0;
  },
};

export default command;
