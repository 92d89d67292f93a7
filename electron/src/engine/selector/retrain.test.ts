/**
 * Retraining runs on a worker thread once built (the dashboard and the CLI run `dist/`): the main event loop
 * keeps turning while it trains, and the model is the one an inline retrain gives (the forest is seeded).
 * Run against `electron/dist` (`npx tsc -b electron` first; `npm test` builds); from sources the worker's
 * file is not there and the retrain runs inline.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { FEATURE_NAMES } from './features.js';
import type * as fromSources from './retrain.js';
import { retrainModel, retrainOffThread, type RetrainInput } from './retrain.js';

const BUILT = fileURLToPath(new URL('../../../dist/engine/selector/retrain.js', import.meta.url));

const input: RetrainInput = {
  observations: [
    {
      at: '2026-11-30T09:00:00.000Z',
      relay: 'fra-1',
      prefix: '203.0.113.0/24',
      features: FEATURE_NAMES.map((_, i) => 10 + i),
      e2eMs: 80,
    },
  ],
  simStride: 8,
  version: 2,
};

describe('retraining the learned selector', () => {
  it('runs inline from sources (no worker file beside them)', async () => {
    const { thread, model } = await retrainOffThread(input);
    expect(thread).toBe('inline');
    expect(model.meta).toMatchObject({ version: 2, source: 'retrained', userRows: 1 });
  });

  it('runs on a worker thread once built: the event loop turns meanwhile, and the model is the same', async () => {
    if (!existsSync(BUILT))
      throw new Error('electron/dist is missing: build first with `npx tsc -b electron`');
    const built = (await import(BUILT)) as typeof fromSources;
    let ticks = 0;
    let ticking = true;
    const tick = (): void => {
      ticks++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const off = await built.retrainOffThread(input);
    ticking = false;
    expect(off.thread).toBe('worker');
    // Inline, the training holds the thread from the call to the answer: not one turn of the loop.
    expect(ticks).toBeGreaterThan(100);
    const inline = retrainModel(input);
    const rows = [FEATURE_NAMES.map((_, i) => 10 + i), FEATURE_NAMES.map((_, i) => 30 - i)];
    expect(off.model.predict(rows)).toEqual(inline.predict(rows));
    expect(off.model.meta.rows).toBe(inline.meta.rows);
  });
});
