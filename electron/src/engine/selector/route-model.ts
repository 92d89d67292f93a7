/**
 * The learned part of the ML selector: a random-forest regression (`ml-random-forest`, mljs) from a
 * candidate's feature vector to its relay → server residual (end-to-end RTT − client → relay median),
 * with the spread of the trees' answers as its confidence. Saved as a versioned JSON file.
 */
import { DecisionTreeRegression } from 'ml-cart';
import { RandomForestRegression } from 'ml-random-forest';

import { FEATURE_NAMES, type FeatureVector } from './features.js';

/** Bumped when the file layout or the meaning of a feature changes: an older file is then ignored. */
export const MODEL_FORMAT = 1;

type ForestJson = ReturnType<RandomForestRegression['toJSON']>;

export interface RouteModelFile {
  format: number;
  /** 1 for the shipped prior; +1 on every retrain on this machine. */
  version: number;
  source: 'prior' | 'retrained';
  trainedAt: string;
  /** Training rows: simulated and (after retraining) the user's own sessions. */
  rows: number;
  userRows: number;
  features: readonly string[];
  /** Per feature, the upper edges of its bins (quantiles of the training rows). */
  bins: number[][];
  forest: ForestJson;
}

export interface Prediction {
  /** Predicted relay → server residual, ms. */
  legMs: number;
  /** Standard deviation of the trees' predictions, ms. */
  spreadMs: number;
}

export interface TrainOptions {
  trees?: number;
  maxDepth?: number;
  seed?: number;
}

/** Bins per feature: the trees split on bin indexes, as histogram-based forests do. */
const BINS = 48;

/**
 * ml-cart tries a split between every pair of neighbouring rows whose targets differ, which is quadratic
 * in the rows. Over binned features the candidate thresholds are the midpoints between distinct bin
 * indexes — the same trees, found in linear time per candidate. Installed once on ml-cart's tree node.
 */
let splitPatched = false;
function patchSplitSearch(): void {
  if (splitPatched) return;
  splitPatched = true;
  const probe = new DecisionTreeRegression({ maxDepth: 1 });
  probe.train([[0], [1], [2], [3]], [0, 1, 2, 3]);
  const root = (probe as unknown as { root?: object }).root;
  const proto = root === undefined ? null : (Object.getPrototypeOf(root) as Record<string, unknown>);
  if (proto === null || typeof proto.featureSplit !== 'function') return;
  proto.featureSplit = function featureSplit(x: ArrayLike<number>): number[] {
    const values = [...new Set(Array.from(x))].sort((a, b) => a - b);
    const out: number[] = [];
    for (let i = 1; i < values.length; i++) out.push((values[i - 1]! + values[i]!) / 2);
    return out;
  };
}

/** Upper bin edges: up to BINS distinct quantiles of one column. */
function binEdges(column: number[]): number[] {
  const sorted = [...column].sort((a, b) => a - b);
  const edges: number[] = [];
  for (let b = 1; b <= BINS; b++) {
    const v = sorted[Math.min(sorted.length - 1, Math.floor((b * sorted.length) / BINS) - 1)]!;
    if (edges.length === 0 || v > edges[edges.length - 1]!) edges.push(v);
  }
  return edges;
}

function binRow(row: FeatureVector, bins: number[][]): number[] {
  return row.map((v, f) => {
    const edges = bins[f] ?? [];
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (edges[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  });
}

export class RouteModel {
  private constructor(
    private readonly forest: RandomForestRegression,
    readonly meta: Omit<RouteModelFile, 'forest'>,
  ) {}

  static train(
    rows: FeatureVector[],
    targets: number[],
    meta: Pick<RouteModelFile, 'version' | 'source' | 'userRows'>,
    o: TrainOptions = {},
  ): RouteModel {
    patchSplitSearch();
    const bins = FEATURE_NAMES.map((_, f) => binEdges(rows.map((r) => r[f]!)));
    const forest = new RandomForestRegression({
      nEstimators: o.trees ?? 24,
      maxFeatures: 0.8,
      replacement: false,
      useSampleBagging: true,
      noOOB: true,
      seed: o.seed ?? 42,
      treeOptions: { maxDepth: o.maxDepth ?? 9, minNumSamples: 4 },
    });
    forest.train(
      rows.map((r) => binRow(r, bins)),
      targets,
    );
    return new RouteModel(forest, {
      format: MODEL_FORMAT,
      ...meta,
      trainedAt: new Date().toISOString(),
      rows: rows.length,
      features: FEATURE_NAMES,
      bins,
    });
  }

  /** Loads a saved model; a string says why it cannot be used. */
  static fromFile(file: unknown): RouteModel | string {
    if (typeof file !== 'object' || file === null) return 'not a model file';
    const f = file as Partial<RouteModelFile>;
    if (f.format !== MODEL_FORMAT) return `model format ${String(f.format)}, expected ${MODEL_FORMAT}`;
    if (!Array.isArray(f.features) || f.features.join(',') !== FEATURE_NAMES.join(','))
      return 'model features differ from this version’s';
    if (f.forest === undefined || !Array.isArray(f.bins) || f.bins.length !== FEATURE_NAMES.length)
      return 'model has no forest or bins';
    try {
      const forest = RandomForestRegression.load(f.forest);
      const { forest: _forest, ...meta } = f as RouteModelFile;
      return new RouteModel(forest, meta);
    } catch (err) {
      return `model does not load: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  toFile(): RouteModelFile {
    return { ...this.meta, forest: this.forest.toJSON() };
  }

  /**
   * Each tree's answer per row. The trees are ml-cart's own (`root.classify(row)` over the tree's feature
   * subset, exactly what `predictionValues` does) walked directly, without building matrix views: a ranking
   * then costs well under a millisecond. Falls back to `predictionValues` if the layout is not as expected.
   */
  private treeValues(binned: number[][]): number[][] {
    const f = this.forest as unknown as {
      estimators?: { root?: { classify?: (row: number[]) => number } }[];
      indexes?: number[][];
    };
    const trees = f.estimators;
    const indexes = f.indexes;
    if (
      trees === undefined ||
      indexes === undefined ||
      trees.some((t) => typeof t.root?.classify !== 'function')
    ) {
      const m = this.forest.predictionValues(binned);
      return binned.map((_, i) => m.getRow(i));
    }
    return binned.map((row) => trees.map((t, k) => t.root!.classify!(indexes[k]!.map((col) => row[col]!))));
  }

  predict(rows: FeatureVector[]): Prediction[] {
    if (rows.length === 0) return [];
    const values = this.treeValues(rows.map((r) => binRow(r, this.meta.bins)));
    const out: Prediction[] = [];
    for (let i = 0; i < rows.length; i++) {
      const row = values[i]!;
      let sum = 0;
      for (const v of row) sum += v;
      const mean = sum / row.length;
      let sq = 0;
      for (const v of row) sq += (v - mean) ** 2;
      out.push({ legMs: mean, spreadMs: Math.sqrt(sq / row.length) });
    }
    return out;
  }
}
