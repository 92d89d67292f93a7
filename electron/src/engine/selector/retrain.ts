/**
 * Retraining the learned selector's model: half the prior's simulated rows plus the user's own sessions
 * (each counted 5 times). Several seconds of CPU, so it runs on a worker thread (`retrain-worker.ts`): on
 * the main side it would stall the event loop — the engine's sockets, the UI's requests — right after
 * every session. Where the worker's file is not there (a bundle that does not ship it, tests run from
 * sources) it runs inline, as before. Both give the same model (the forest is seeded).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import { simRows, priorScenarios } from './evaluation.js';
import { FEATURE_NAMES } from './features.js';
import { RouteModel } from './route-model.js';
import type { Observation } from './selector-store.js';

export interface RetrainInput {
  observations: Observation[];
  /** Keep every Nth simulated decision of the prior's training set. */
  simStride: number;
  /** The new model's version. */
  version: number;
}

const USER_WEIGHT = 5;

/** The retrained model, computed here (synchronously). */
export function retrainModel(input: RetrainInput): RouteModel {
  const sim = simRows(priorScenarios().filter((_, i) => i % input.simStride === 0));
  const rows = [...sim.rows];
  const targets = [...sim.targets];
  for (const o of input.observations) {
    const baseline = o.features[FEATURE_NAMES.indexOf('baseline_leg_ms')]!;
    const target = o.e2eMs - o.features[0]! - Math.max(0, baseline);
    for (let k = 0; k < USER_WEIGHT; k++) {
      rows.push(o.features);
      targets.push(target);
    }
  }
  return RouteModel.train(rows, targets, {
    version: input.version,
    source: 'retrained',
    userRows: input.observations.length,
  });
}

/**
 * Where the worker's entry is, beside this file: `retrain-worker.js` once built by tsc (`dist/`), or
 * `retrain-worker.cjs` beside the desktop app's main bundle; null when neither is there.
 */
function workerFile(): URL | null {
  for (const name of ['./retrain-worker.js', './retrain-worker.cjs']) {
    try {
      const url = new URL(name, import.meta.url);
      if (url.protocol === 'file:' && existsSync(fileURLToPath(url))) return url;
    } catch {
      // not a file URL: no worker here
    }
  }
  return null;
}

/** Retrains on a worker thread when one can start (`thread` says where it ran). */
export async function retrainOffThread(
  input: RetrainInput,
): Promise<{ model: RouteModel; thread: 'worker' | 'inline' }> {
  const file = workerFile();
  if (file === null) return { model: retrainModel(input), thread: 'inline' };
  const result = await new Promise<unknown>((resolve, reject) => {
    const worker = new Worker(file, { workerData: input });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the retrain worker exited (${code}) without a model`)));
  });
  const model = RouteModel.fromFile(result);
  if (typeof model === 'string') throw new Error(`the retrain worker's model: ${model}`);
  return { model, thread: 'worker' };
}
