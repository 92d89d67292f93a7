/**
 * Trains the ML selector's shipped prior on the simulated world's training days (deterministic; see
 * engine/selector/sim-world.ts) and writes it to electron/models/selector-prior.json.
 *
 * Usage: node dist/bench/train-prior.js [--out PATH]
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { trainPrior } from '../engine/selector/evaluation.js';
import { PRIOR_MODEL_PATH, writeAtomic } from '../engine/selector/selector-store.js';

const outAt = process.argv.indexOf('--out');
const out = outAt >= 0 ? process.argv[outAt + 1]! : PRIOR_MODEL_PATH;
const t0 = performance.now();
const model = trainPrior();
mkdirSync(path.dirname(out), { recursive: true });
await writeAtomic(out, model.toFile());
console.error(
  `trained on ${model.meta.rows} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${out}`,
);
