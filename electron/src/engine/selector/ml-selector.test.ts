import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { relayRef, type RelayEndpoint } from '@lightspeed/shared';
import { afterEach, describe, expect, it } from 'vitest';

import type { ProbeSample } from '../relay-prober.js';
import type { SelectorContext } from '../route-selector.js';
import { MlSelector } from './ml-selector.js';
import { SelectorStore } from './selector-store.js';

const near: RelayEndpoint = { host: '127.0.0.1', port: 4001, id: 'near', region: 'eu-west' };
const far: RelayEndpoint = { host: '127.0.0.1', port: 4002, id: 'far', region: 'us-east' };
const server = { host: '203.0.113.7', address: '203.0.113.7', port: 7777 };

/** A probe that answers with fixed RTTs and (optionally) reported legs. */
function context(rtt: Record<string, number>, legs: Record<string, number> = {}): SelectorContext {
  return {
    server,
    probe: (relays) =>
      Promise.resolve(
        relays.map((endpoint): ProbeSample => {
          const id = endpoint.id!;
          const base = rtt[id]!;
          return {
            endpoint,
            relay: relayRef(endpoint),
            sent: 10,
            rtts: Array.from({ length: 10 }, (_, i) => base + (i % 3) * 0.2),
            ...(legs[id] === undefined ? {} : { serverLegMs: legs[id] }),
          };
        }),
      ),
  };
}

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('MlSelector', () => {
  it('prefers the farther relay when its reported leg makes the whole path shorter', async () => {
    const sel = new MlSelector({ now: () => new Date(2026, 0, 1, 15) });
    const ranked = await sel.rank([near, far], context({ near: 5, far: 40 }, { near: 120, far: 4 }));
    expect(ranked.map((r) => r.relay.id)).toEqual(['far', 'near']);
    expect(ranked[0]!.serverLegMs).toBe(4);
    expect(ranked[0]!.predictedMs).toBeGreaterThan(40);
    expect(sel.note).toMatch(/^ml: prior model/);
  });

  it('falls back to nearest, saying why, when nothing is known of the server side', async () => {
    const sel = new MlSelector();
    const anon = [
      { host: '127.0.0.1', port: 4001, id: 'a' },
      { host: '127.0.0.1', port: 4002, id: 'b' },
    ];
    const ranked = await sel.rank(anon, context({ a: 30, b: 10 }));
    expect(ranked.map((r) => r.relay.id)).toEqual(['b', 'a']);
    expect(sel.note).toMatch(/fell back to nearest: nothing known yet/);
  });

  it('falls back to nearest when there is no model, and says so', async () => {
    const sel = new MlSelector({ store: new SelectorStore(null, '/nonexistent/prior.json') });
    const ranked = await sel.rank([near, far], context({ near: 5, far: 40 }, { near: 120, far: 4 }));
    expect(ranked[0]!.relay.id).toBe('near');
    expect(sel.note).toMatch(/fell back to nearest: no model/);
  });

  it('learns from a session: the observation and a retrained, versioned model land in the config dir', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ls-selector-'));
    dirs.push(dir);
    const store = new SelectorStore(dir, undefined, 40);
    const sel = new MlSelector({ store });
    const ranked = await sel.rank([near, far], context({ near: 5, far: 40 }, { near: 120, far: 4 }));
    await sel.feedback({ relay: ranked[0]!, server, rttMs: 40, legMs: 5 });
    const saved = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as {
      version: number;
      source: string;
      userRows: number;
      format: number;
    };
    expect(saved).toMatchObject({ version: 2, source: 'retrained', userRows: 1, format: 1 });
    const obs = JSON.parse(await readFile(path.join(dir, 'observations.json'), 'utf8')) as {
      observations: { relay: string; e2eMs: number; prefix: string }[];
    };
    expect(obs.observations).toEqual([
      expect.objectContaining({ relay: 'far', e2eMs: 45, prefix: '203.0.113.0/24' }),
    ]);
    // A new selector on the same dir loads the retrained model and sees the history.
    const again = new MlSelector({ store: new SelectorStore(dir) });
    await again.rank([near, far], context({ near: 5, far: 40 }));
    expect(again.note).toMatch(/retrained model v2/);
  });

  it('ignores a model file of another format and uses the prior', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ls-selector-'));
    dirs.push(dir);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(dir, 'model.json'), JSON.stringify({ format: 99 }));
    const { reason } = await new SelectorStore(dir).loadModel();
    expect(reason).toBe('prior model');
  });
});
