/**
 * `lightspeed demo`: the first thing a new user runs. Everything on loopback: our relay, an echo "game
 * server", a lossy link (5% loss each way) between the engine and the relay, and a simulated game client
 * at 64 packets/s. Shows live RTT, loss before and after FEC, and the packets FEC rebuilt.
 */
import { DropTracker, GameTrafficClient, numberArg, parseCliArgs } from '@lightspeed/shared/node';

import { startDemoNetwork } from '../../demo/demo-network.js';
import { BoostEngine } from '../../engine/index.js';
import { UsageError, type Command } from '../command.js';
import { describeFec, parseFecOption } from '../fec-option.js';
import { untilSignal } from './engine-session.js';

const help = `Usage: lightspeed demo [--duration S] [--loss P] [--fec MODE] [--json]

Runs a complete LightSpeed path on this machine and shows FEC at work:

  game client (64 pkt/s) → engine → lossy link (5% loss each way) → relay → echo game server
                         ← engine ← lossy link                    ← relay ←

Each second it prints the RTT, the loss the link caused (before FEC), the loss the game saw
(after FEC) and how many packets FEC rebuilt. Exits 0 after --duration or on Ctrl-C.

Options:
  --duration S   seconds to run (default: until Ctrl-C)
  --loss P       link loss each way, 0..0.5 (default 0.05)
  --fec MODE     adaptive (default), strong, 0 = off, or 2..16 (v2 XOR)
  --json         one JSON object per second
  -h, --help     this text

Example:
  lightspeed demo --duration 10`;

const usage = (m: string): Error => new UsageError(m);
const PPS = 64;
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`.padStart(6);

const command: Command = {
  summary: 'see FEC recover losses live: local relay, lossy link, echo server, simulated game',
  help,
  async run(argv) {
    const v = parseCliArgs(
      argv,
      {
        duration: { type: 'string' },
        loss: { type: 'string' },
        fec: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      usage,
    );
    const duration =
      v.duration === undefined ? null : numberArg(v.duration, 'duration', 0, 0.5, 86_400, usage);
    const loss = numberArg(v.loss, 'loss', 0.05, 0, 0.5, usage);
    const fec = parseFecOption(v.fec);

    const stops: (() => Promise<void>)[] = [];
    const cleanup = async (): Promise<void> => {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    };
    try {
      const drops = new DropTracker();
      const network = await startDemoNetwork([{ loss, seed: Date.now() >>> 0, onDrop: drops.onDrop }]);
      stops.push(network.close);
      const { echo, relay } = network;
      const link = network.links[0]!;
      const engine = new BoostEngine();
      stops.push(() => engine.stop('demo finished'));
      await engine.start({
        routes: [{ server: `127.0.0.1:${echo.port}` }],
        relays: [{ host: '127.0.0.1', port: link.port, id: 'demo-relay' }],
        ...fec,
      });
      const local = engine.getRoutes()[0]!.localPort;
      const game = await GameTrafficClient.start({
        target: { host: '127.0.0.1', port: local },
        pps: PPS,
        size: 120,
      });
      stops.push(() => game.close());
      if (!v.json) {
        console.log(
          `LightSpeed demo: game → 127.0.0.1:${local} → engine (FEC ${describeFec(fec)}) → lossy link ${link.address} (${pct(loss).trim()} loss each way) → relay 127.0.0.1:${relay.dataPort} → echo server 127.0.0.1:${echo.port}`,
        );
        console.log(`${PPS} packets/s of 120 bytes. Ctrl-C to stop.\n`);
      }

      // Packets are judged 300 ms after they were sent: long enough for an echo or a rebuilt copy to arrive.
      const SETTLE_MS = 300;
      let judged = 0;
      let prevLink = link.stats();
      let totals = { judged: 0, lost: 0, recovered: 0 };
      const t0 = performance.now();
      const tick = (final = false): void => {
        const cutoff = performance.now() - SETTLE_MS;
        let n = 0;
        let lost = 0;
        let recovered = 0;
        while (judged < game.sent && game.sentAt[judged]! <= cutoff) {
          const got = !Number.isNaN(game.rtt[judged]!);
          if (!got) lost++;
          else if (drops.dropped.has(judged)) recovered++;
          n++;
          judged++;
        }
        totals = {
          judged: totals.judged + n,
          lost: totals.lost + lost,
          recovered: totals.recovered + recovered,
        };
        const ls = link.stats();
        const upIn = ls.up.received - prevLink.up.received;
        const downIn = ls.down.received - prevLink.down.received;
        const lossUp = upIn > 0 ? (ls.up.dropped - prevLink.up.dropped) / upIn : 0;
        const lossDown = downIn > 0 ? (ls.down.dropped - prevLink.down.dropped) / downIn : 0;
        prevLink = ls;
        const rtts = game.rtt.slice(Math.max(0, judged - n), judged).filter((r) => !Number.isNaN(r));
        rtts.sort((a, b) => a - b);
        const rttMs = rtts.length > 0 ? rtts[Math.floor(rtts.length / 2)]! : null;
        const stats = engine.getStats();
        const t = Math.round((performance.now() - t0) / 1000);
        if (v.json) {
          console.log(
            JSON.stringify({
              type: 'demo',
              t,
              rttMs,
              keepaliveRttMs: stats?.rtt?.p50 ?? null,
              lossBeforeFec: { up: lossUp, down: lossDown },
              lossAfterFec: n > 0 ? lost / n : 0,
              packets: n,
              lost,
              recovered,
              totals,
              state: engine.getState().state,
            }),
          );
          return;
        }
        console.log(
          [
            final ? 'last packets' : `t=${String(t).padStart(3)}s`,
            `RTT ${rttMs === null ? '   -  ' : `${rttMs.toFixed(2)} ms`}`,
            `loss before FEC: up ${pct(lossUp)} down ${pct(lossDown)}`,
            `after FEC: ${pct(n > 0 ? lost / n : 0)} (${lost}/${n})`,
            `FEC rebuilt ${String(recovered).padStart(2)} this second, ${totals.recovered} total`,
          ].join('  |  '),
        );
      };
      const timer = setInterval(tick, 1000);
      await untilSignal(duration);
      clearInterval(timer);
      game.stopSending();
      await new Promise((r) => setTimeout(r, SETTLE_MS + 50));
      tick(true);
      const ls = link.stats();
      const rawRoundTrip =
        1 -
        (1 - ls.up.dropped / Math.max(1, ls.up.received)) *
          (1 - ls.down.dropped / Math.max(1, ls.down.received));
      const summary = {
        type: 'summary',
        sent: game.sent,
        echoed: game.stats().received,
        rawRoundTripLoss: rawRoundTrip,
        residualLoss: totals.judged > 0 ? totals.lost / totals.judged : 0,
        fecRebuilt: totals.recovered,
      };
      if (v.json) console.log(JSON.stringify(summary));
      else {
        console.log(
          `\n${summary.sent} packets sent, ${summary.echoed} echoed. Without FEC about ${pct(rawRoundTrip).trim()} of round trips would have failed; ` +
            `with FEC ${pct(summary.residualLoss).trim()} did. FEC rebuilt ${summary.fecRebuilt} packets.`,
        );
      }
      return 0;
    } finally {
      await cleanup();
    }
  },
};

export default command;
