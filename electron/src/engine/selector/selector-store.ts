/**
 * What the ML selector keeps on this machine, in `<config dir>/lightspeed/selector/`: `model.json` (the
 * retrained model, versioned; the shipped prior is used until there is one, or when it does not load)
 * and `observations.json` (the user's finished sessions: the features the relay was chosen on and the
 * end-to-end RTT it then gave; the last 2000). Retraining mixes half the prior's simulated rows with the
 * user's rows (each counted 5 times), so a handful of sessions already moves the model on the paths the
 * user really has. Writes are atomic (temp file + rename).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { FEATURE_NAMES } from './features.js';
import { retrainOffThread } from './retrain.js';
import { RouteModel } from './route-model.js';

export interface Observation {
  at: string;
  relay: string;
  /** Server prefix (`serverPrefix`). */
  prefix: string;
  /** The feature vector the relay was ranked on. */
  features: number[];
  /** End-to-end RTT the session then saw through this relay, ms. */
  e2eMs: number;
}

const MAX_OBSERVATIONS = 2000;
/** Retrain after this many new sessions (1: after every one). */
const RETRAIN_EVERY = 1;

/** The shipped prior: `electron/models/selector-prior.json` (same place from `src/` and `dist/`). */
export const PRIOR_MODEL_PATH = fileURLToPath(
  new URL('../../../models/selector-prior.json', import.meta.url),
);

export class SelectorStore {
  private observations: Observation[] = [];
  private loaded = false;
  private sinceRetrain = 0;

  /**
   * `dir` null: nothing is persisted (tests, the demo). `simStride`: retraining keeps every Nth simulated
   * decision of the prior's training set (default 2: half).
   */
  constructor(
    readonly dir: string | null,
    private readonly priorPath: string = PRIOR_MODEL_PATH,
    private readonly simStride = 2,
  ) {}

  /** The user's retrained model when it loads, else the shipped prior; `reason` says which or why none. */
  async loadModel(): Promise<{ model: RouteModel | null; reason: string }> {
    if (this.dir !== null) {
      const user = await readJson(path.join(this.dir, 'model.json'));
      if (user !== undefined) {
        const m = RouteModel.fromFile(user);
        if (typeof m !== 'string') return { model: m, reason: `retrained model v${m.meta.version}` };
      }
    }
    const prior = await readJson(this.priorPath);
    if (prior === undefined) return { model: null, reason: `no model (${this.priorPath} missing)` };
    const m = RouteModel.fromFile(prior);
    return typeof m === 'string'
      ? { model: null, reason: `no usable model: ${m}` }
      : { model: m, reason: 'prior model' };
  }

  async load(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    if (this.dir === null) return;
    const f = (await readJson(path.join(this.dir, 'observations.json'))) as
      { observations?: unknown } | undefined;
    if (!Array.isArray(f?.observations)) return;
    this.observations = f.observations.filter(
      (o: Partial<Observation>): o is Observation =>
        typeof o.relay === 'string' &&
        typeof o.prefix === 'string' &&
        typeof o.e2eMs === 'number' &&
        Array.isArray(o.features) &&
        o.features.length === FEATURE_NAMES.length,
    );
  }

  /** Past sessions on this relay for this server prefix: mean relay → server residual and how many. */
  history(relay: string, prefix: string): { legMs: number; count: number } | undefined {
    let sum = 0;
    let count = 0;
    for (const o of this.observations) {
      if (o.relay !== relay || o.prefix !== prefix) continue;
      sum += o.e2eMs - o.features[0]!;
      count++;
    }
    return count === 0 ? undefined : { legMs: sum / count, count };
  }

  get size(): number {
    return this.observations.length;
  }

  /** Records a finished session; retrains (and saves) when due. Returns the new model, if any. */
  async add(o: Observation): Promise<RouteModel | null> {
    await this.load();
    this.observations.push(o);
    if (this.observations.length > MAX_OBSERVATIONS)
      this.observations.splice(0, this.observations.length - MAX_OBSERVATIONS);
    this.sinceRetrain++;
    if (this.dir === null) return null;
    await mkdir(this.dir, { recursive: true });
    await writeAtomic(path.join(this.dir, 'observations.json'), {
      format: 1,
      observations: this.observations,
    });
    if (this.sinceRetrain < RETRAIN_EVERY) return null;
    this.sinceRetrain = 0;
    const model = await this.retrain();
    await writeAtomic(path.join(this.dir, 'model.json'), model.toFile());
    return model;
  }

  /**
   * Half the prior's simulated rows plus the user's (weighted); the version follows the current model's.
   * On a worker thread (`retrain.ts`): seconds of CPU that must not stall the engine and the UI.
   */
  async retrain(): Promise<RouteModel> {
    const current = await this.loadModel();
    const { model } = await retrainOffThread({
      observations: this.observations,
      simStride: this.simStride,
      version: (current.model?.meta.version ?? 0) + 1,
    });
    return model;
  }
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Writes JSON atomically; numbers rounded to 4 decimals (model files are mostly tree thresholds). */
export async function writeAtomic(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(
    tmp,
    JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 1e4) / 1e4 : v)),
  );
  await rename(tmp, file);
}
