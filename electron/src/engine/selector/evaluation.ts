/**
 * Training rows from the simulated world, the shipped prior's recipe, and the regret evaluation
 * (`npm run bench` → docs/benchmarks.md "selector"): on held-out days, per scenario class, the mean extra
 * end-to-end ms each selector's pick costs over the oracle's (the relay that was truly fastest).
 */
import { baselineLeg, featureVector, type FeatureVector } from './features.js';
import { rankEndToEnd, rankMl, rankNearest, type MlRankOptions } from './ml-rank.js';
import { RouteModel } from './route-model.js';
import { SCENARIO_CLASSES, makeWorld, scenarios, type ScenarioClass, type SimScenario } from './sim-world.js';

/** The prior's recipe: these worlds, these days, this many decisions per world and day. */
export const PRIOR = {
  worldSeeds: [1, 2, 3, 4, 5, 6, 7, 8],
  trainDays: Array.from({ length: 21 }, (_, d) => d),
  heldOutDays: Array.from({ length: 7 }, (_, d) => 21 + d),
  perDay: 4,
  /** Decisions per world and held-out day in the evaluation. */
  evalPerDay: 12,
  scenarioSeed: 0x5e1ec7,
  trees: 24,
  maxDepth: 9,
} as const;

export function simRows(list: readonly SimScenario[]): { rows: FeatureVector[]; targets: number[] } {
  const rows: FeatureVector[] = [];
  const targets: number[] = [];
  for (const s of list) {
    for (const c of s.candidates) {
      rows.push(featureVector(c.info));
      targets.push(c.trueMs - c.info.rttP50Ms - (baselineLeg(c.info)?.legMs ?? 0));
    }
  }
  return { rows, targets };
}

export function priorScenarios(
  days: readonly number[] = PRIOR.trainDays,
  perDay: number = PRIOR.perDay,
): SimScenario[] {
  return scenarios(PRIOR.worldSeeds.map(makeWorld), days, perDay, PRIOR.scenarioSeed);
}

/** The held-out days the evaluation scores. */
export function heldOutScenarios(): SimScenario[] {
  return priorScenarios(PRIOR.heldOutDays, PRIOR.evalPerDay);
}

/** Trains the prior on the training days (deterministic). */
export function trainPrior(): RouteModel {
  const { rows, targets } = simRows(priorScenarios());
  return RouteModel.train(
    rows,
    targets,
    { version: 1, source: 'prior', userRows: 0 },
    {
      trees: PRIOR.trees,
      maxDepth: PRIOR.maxDepth,
    },
  );
}

export const SELECTORS = ['nearest', 'e2e', 'ml'] as const;
export type SelectorName = (typeof SELECTORS)[number];

export interface ClassResult {
  cls: ScenarioClass | 'all';
  decisions: number;
  /** Mean regret, ms, per selector. */
  regretMs: Record<SelectorName, number>;
  /** Share of decisions where the selector picked the oracle's relay. */
  oracleHit: Record<SelectorName, number>;
  /** Decisions where ML fell back to nearest. */
  mlFallbacks: number;
}

export function evaluate(
  model: RouteModel | null,
  list: readonly SimScenario[],
  o: MlRankOptions = {},
): ClassResult[] {
  const blank = (): Record<SelectorName, number> => ({ nearest: 0, e2e: 0, ml: 0 });
  const acc = new Map<ScenarioClass | 'all', ClassResult>();
  for (const cls of [...SCENARIO_CLASSES, 'all'] as const)
    acc.set(cls, { cls, decisions: 0, regretMs: blank(), oracleHit: blank(), mlFallbacks: 0 });
  for (const s of list) {
    const infos = s.candidates.map((c) => c.info);
    const truth = s.candidates.map((c) => c.trueMs);
    const oracle = Math.min(...truth);
    const ml = rankMl(model, infos, o);
    const picks: Record<SelectorName, number> = {
      nearest: rankNearest(infos, o.lossPenaltyMs)[0]!,
      e2e: rankEndToEnd(infos, o.lossPenaltyMs)[0]!,
      ml: ml.order[0]!,
    };
    for (const key of [s.cls, 'all'] as const) {
      const r = acc.get(key)!;
      r.decisions++;
      if (ml.mode === 'nearest') r.mlFallbacks++;
      for (const name of SELECTORS) {
        r.regretMs[name] += truth[picks[name]]! - oracle;
        if (truth[picks[name]] === oracle) r.oracleHit[name]++;
      }
    }
  }
  const out = [...acc.values()];
  for (const r of out) {
    for (const name of SELECTORS) {
      r.regretMs[name] /= Math.max(1, r.decisions);
      r.oracleHit[name] /= Math.max(1, r.decisions);
    }
  }
  return out;
}

/** The target: ML regret ≤ 50% of nearest's overall, and never more than 5% worse than nearest in a class. */
export function meetsTarget(results: readonly ClassResult[]): { ok: boolean; why: string[] } {
  const why: string[] = [];
  for (const r of results) {
    const { ml, nearest } = r.regretMs;
    if (r.cls === 'all' && ml > 0.5 * nearest)
      why.push(`overall ML regret ${ml.toFixed(2)} ms > 50% of nearest's ${nearest.toFixed(2)} ms`);
    if (ml > nearest * 1.05 + 1e-9)
      why.push(`${r.cls}: ML regret ${ml.toFixed(2)} ms > nearest's ${nearest.toFixed(2)} ms + 5%`);
  }
  return { ok: why.length === 0, why };
}
