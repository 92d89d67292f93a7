/** `lightspeed probe`: rank relays by keepalive RTT and loss. */
import { parseHostPort } from '@lightspeed/shared';
import { numberArg, parseCliArgs } from '@lightspeed/shared/node';

import { cliRelays } from '../../engine/discovery/index.js';
import { BoostEngine, defaultSelectorContext } from '../../engine/index.js';
import { resolveIpv4 } from '../../engine/resolve.js';
import { UsageError, type Command } from '../command.js';
import { makeSelector, parseRelays, parseSelectorArg, relaysOrSaved } from './engine-session.js';

const help = `Usage: lightspeed probe [--relay HOST:PORT ...] [--server HOST:PORT] [--count N] [--json]
       lightspeed probe --registry URL|FILE --registry-key KEY [--dns-pool NAME] [--relay ...]

Sends keepalives to every relay and ranks them by median RTT plus a loss penalty (the ranking
'lightspeed boost' uses to pick a relay). Exits 0 when at least one relay answered, 1 otherwise.

Options:
  --relay HOST:PORT   relay data plane; repeat for several (default, without the options below: the
                      app's relays — your relay list or registry in Settings, and LightSpeed's
                      relay registry)
  --registry URL|FILE signed relay registry (docs/control-plane.md); refused when its signature
                      does not verify against --registry-key or it has expired
  --registry-key KEY  pinned Ed25519 public key of the registry (base64, hex or PEM)
  --dns-pool NAME     a DNS name whose A records are relays (data port 4434); repeatable
  --count N           keepalives per relay, 1..100 (default 10)
  --server HOST:PORT  the game server: our relays are asked for their own leg to it, and the ranking
                      is by predicted end-to-end RTT (with --selector ml)
  --selector NAME     ml (default; falls back to nearest, saying why) or nearest
  --json              print the ranking as JSON
  -h, --help          this text

Example:
  lightspeed probe --relay 198.51.100.2:4434 --relay 198.51.100.9:4434`;

const usage = (m: string): Error => new UsageError(m);

const command: Command = {
  summary: 'rank relays by keepalive RTT and loss',
  help,
  async run(argv) {
    const v = parseCliArgs(
      argv,
      {
        relay: { type: 'string', multiple: true },
        count: { type: 'string' },
        server: { type: 'string' },
        selector: { type: 'string' },
        registry: { type: 'string' },
        'registry-key': { type: 'string' },
        'dns-pool': { type: 'string', multiple: true },
        json: { type: 'boolean', default: false },
      },
      usage,
    );
    const discovering = v.registry !== undefined || v['dns-pool'] !== undefined;
    if (discovering && v.registry !== undefined && v['registry-key'] === undefined)
      throw new UsageError('--registry needs --registry-key (the pinned Ed25519 public key)');
    let relays = parseRelays(v.relay);
    if (discovering) {
      try {
        const found = await cliRelays(
          { relay: v.relay, dnsPool: v['dns-pool'], registry: v.registry, registryKey: v['registry-key'] },
          (line) => console.error(line),
        );
        relays = found.relays;
      } catch (err) {
        console.error(`lightspeed probe: ${(err as Error).message}`);
        return 1;
      }
    }
    const count = numberArg(v.count, 'count', 10, 1, 100, usage, true);
    const selectorName = parseSelectorArg(v.selector);
    if (!discovering) {
      const found = await relaysOrSaved(relays, 'probe');
      if (typeof found === 'number') return found;
      relays = found;
    }
    const probeOptions = { count, spacingMs: 20, timeoutMs: 1000 };
    let server: { host: string; address: string; port: number } | undefined;
    if (v.server !== undefined) {
      const hp = parseHostPort(v.server);
      if (hp === null) throw new UsageError(`--server: expected HOST:PORT, got '${v.server}'`);
      try {
        server = { host: hp.host, ...(await resolveIpv4(hp.host, hp.port)) };
      } catch (err) {
        console.error(`lightspeed probe: cannot resolve ${hp.host}: ${(err as Error).message}`);
        return 1;
      }
    }
    const engine = new BoostEngine({
      probe: probeOptions,
      selector: makeSelector(selectorName, probeOptions),
      selectorContext: { ...defaultSelectorContext, ...(server === undefined ? {} : { server }) },
    });
    const ranked = await engine.probe(relays);
    const note = engine.selectorNote();
    if (v.json) {
      console.log(
        JSON.stringify(ranked.map((r) => ({ ...r, score: Number.isFinite(r.score) ? r.score : null }))),
      );
    } else {
      console.log('rank  relay                       median RTT   min RTT   loss    score');
      ranked.forEach((r, i) => {
        const med = r.rttMedianMs === null ? '-' : `${r.rttMedianMs.toFixed(2)} ms`;
        const min = r.rttMinMs === null ? '-' : `${r.rttMinMs.toFixed(2)} ms`;
        const score = Number.isFinite(r.score) ? r.score.toFixed(2) : 'unreachable';
        console.log(
          `${String(i + 1).padStart(4)}  ${r.relay.id.padEnd(26)}  ${med.padStart(10)}  ${min.padStart(8)}  ${(r.loss * 100).toFixed(0).padStart(4)}%  ${score}`,
        );
      });
    }
    if (!v.json && note !== null) console.log(`selector: ${note}`);
    return ranked.some((r) => r.reachable) ? 0 : 1;
  },
};

export default command;
