/** `lightspeed diagnose`: is boosting worth it for this server? The direct path against each relay path. */
import { parseHostPort, type RelayEndpoint } from '@lightspeed/shared';
import { numberArg, parseCliArgs } from '@lightspeed/shared/node';

import { diagnose } from '../../engine/diagnose/path-probe.js';
import { detectWarp } from '../../engine/diagnose/warp.js';
import { resolveIpv4 } from '../../engine/resolve.js';
import { registerWithRelays, type Registration } from '../../ipc-backend/relay-registration.js';
import { UsageError, type Command } from '../command.js';
import { NoRelay, savedRelays } from '../saved-relays.js';

const help = `Usage: lightspeed diagnose --server HOST:PORT [--relay HOST:PORT ...] [--count N] [--json]

Measures the direct path to a game server and the path through each relay the same way (small request
datagrams the server sends back: an echo, or a game server's query port), and says whether boosting
helps and by how much ("ms saved", "loss avoided"), or that direct is better. Also says whether
Cloudflare WARP is installed and connected, since WARP changes the direct path.

Options:
  --server HOST:PORT  the game server (required)
  --relay HOST:PORT   a relay data plane; repeat for several (default: the app's relays — your relay
                      list or registry in Settings, and LightSpeed's relay registry —, each registered
                      with its control plane; with none available, the direct path only)
  --count N           probes per path, 1..200 (default 20)
  --token N           session token for relays that require one (0..255; default 0)
  --json              the last line on stdout is {"direct": {"rtt_ms", "loss_pct"}, "relays": [{"relay",
                      "rtt_ms", "loss_pct"}], "verdict"}; rtt_ms is null where nothing answered
  -h, --help          this text

Exit status: 0 when the server answered on some path, 1 otherwise.

Example:
  lightspeed diagnose --server 203.0.113.7:27015 --relay 198.51.100.2:4434 --relay 198.51.100.9:4434`;

const usage = (m: string): Error => new UsageError(m);
const round = (x: number | null): number | null => (x === null ? null : Math.round(x * 100) / 100);

const command: Command = {
  summary: 'direct path vs each relay path: ms saved, loss avoided, or direct is better',
  help,
  async run(argv) {
    const v = parseCliArgs(
      argv,
      {
        server: { type: 'string' },
        relay: { type: 'string', multiple: true },
        count: { type: 'string' },
        token: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      usage,
    );
    if (v.server === undefined) throw new UsageError('--server HOST:PORT is required');
    const hp = parseHostPort(v.server);
    if (hp === null) throw new UsageError(`--server: expected HOST:PORT, got '${v.server}'`);
    let relays: { label: string; endpoint: RelayEndpoint }[] = (v.relay ?? []).map((label) => {
      const r = parseHostPort(label);
      if (r === null) throw new UsageError(`--relay: expected HOST:PORT, got '${label}'`);
      return { label, endpoint: r };
    });
    const count = numberArg(v.count, 'count', 20, 1, 200, usage, true);
    const token = numberArg(v.token, 'token', 0, 0, 255, usage, true);
    // Without --relay: the app's relays, each with the token its control plane gives (as the UI's Compare).
    let registration: Registration | null = null;
    if (relays.length === 0) {
      try {
        registration = await registerWithRelays(await savedRelays(), 0);
        relays = registration.relays.map((endpoint) => ({
          label: `${endpoint.host}:${endpoint.port}`,
          endpoint,
        }));
      } catch (err) {
        if (!(err instanceof NoRelay)) throw err;
        console.error(`lightspeed diagnose: ${err.message}; measuring the direct path only`);
      }
    }
    try {
      return await measure(hp, relays, { count, token, json: v.json });
    } finally {
      await registration?.close();
    }
  },
};

/** Measures and prints; the exit status. */
async function measure(
  hp: { host: string; port: number },
  relays: { label: string; endpoint: RelayEndpoint }[],
  o: { count: number; token: number; json: boolean },
): Promise<number> {
  const { count, token } = o;
  let server;
  try {
    server = await resolveIpv4(hp.host, hp.port);
  } catch (err) {
    console.error(`lightspeed diagnose: cannot resolve ${hp.host}: ${(err as Error).message}`);
    return 1;
  }
  const warp = await detectWarp();
  const d = await diagnose(server, relays, { count, spacingMs: 20, timeoutMs: 1000, token }, warp);
  const warpLine = !warp.installed
    ? 'Cloudflare WARP: not installed'
    : `Cloudflare WARP: installed, ${warp.connected ? 'connected (the direct path goes through Cloudflare)' : 'not connected'}`;
  if (o.json) {
    console.error(warpLine);
    console.log(
      JSON.stringify({
        direct: { rtt_ms: round(d.direct.rttMs), loss_pct: round(d.direct.lossPct) },
        relays: d.relays.map((r) => ({
          relay: r.relay,
          rtt_ms: round(r.result.rttMs),
          loss_pct: round(r.result.lossPct),
        })),
        verdict: d.verdict,
      }),
    );
  } else {
    const line = (name: string, r: { rttMs: number | null; lossPct: number }): string =>
      `${name.padEnd(28)} ${r.rttMs === null ? 'no answer'.padStart(10) : `${r.rttMs.toFixed(1)} ms`.padStart(10)}  loss ${r.lossPct.toFixed(1)}%`;
    console.log(line('direct', d.direct));
    for (const r of d.relays) console.log(line(`via ${r.relay}`, r.result));
    console.log(warpLine);
    console.log(d.verdict);
  }
  const answered = d.direct.rttMs !== null || d.relays.some((r) => r.result.rttMs !== null);
  return answered ? 0 : 1;
}

export default command;
