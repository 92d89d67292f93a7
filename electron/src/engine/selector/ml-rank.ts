/**
 * Ranking by predicted end-to-end RTT, shared by `MlSelector` and the evaluation: predicted = measured
 * client → relay median + the model's relay → server residual, plus the same loss penalty as nearest.
 * Falls back to nearest (and says why) when there is no model, nothing is known about the server side,
 * or the model is unsure of its pick.
 */
import { baselineLeg, featureVector, hasServerSideInfo, type CandidateInfo } from './features.js';
import type { RouteModel } from './route-model.js';

export interface MlRanking {
  /** Candidate indexes, best first. */
  order: number[];
  /** Predicted end-to-end RTT per candidate (ms), null where nearest was used. */
  predictedMs: (number | null)[];
  /** Scores (ms, lower is better) per candidate. */
  scores: number[];
  /** 'ml', or 'nearest' with the reason in `reason`. */
  mode: 'ml' | 'nearest';
  reason: string;
}

export interface MlRankOptions {
  lossPenaltyMs?: number;
  /** Fall back to nearest when the trees disagree on the pick by more than this (ms, std dev). Default 25. */
  unsureMs?: number;
}

/** Nearest's score: client → relay median + loss penalty. */
export function nearestScore(c: CandidateInfo, lossPenaltyMs = 500): number {
  return c.rttP50Ms + lossPenaltyMs * c.loss;
}

function order(scores: number[]): number[] {
  return scores
    .map((s, i) => ({ s, i }))
    .sort((a, b) => a.s - b.s || a.i - b.i)
    .map(({ i }) => i);
}

export function rankNearest(cands: readonly CandidateInfo[], lossPenaltyMs = 500): number[] {
  return order(cands.map((c) => (Number.isFinite(c.rttP50Ms) ? nearestScore(c, lossPenaltyMs) : Infinity)));
}

/**
 * "End-to-end measured": client → relay median + the relay's reported leg; a relay that reported none is
 * given the median of the legs that were reported (nearest when none was).
 */
export function rankEndToEnd(cands: readonly CandidateInfo[], lossPenaltyMs = 500): number[] {
  const legs = cands
    .flatMap((c) => (c.reportedLegMs === undefined ? [] : [c.reportedLegMs]))
    .sort((a, b) => a - b);
  const fill = legs.length === 0 ? 0 : legs[Math.floor(legs.length / 2)]!;
  return order(
    cands.map((c) =>
      Number.isFinite(c.rttP50Ms) ? nearestScore(c, lossPenaltyMs) + (c.reportedLegMs ?? fill) : Infinity,
    ),
  );
}

export function rankMl(
  model: RouteModel | null,
  cands: readonly CandidateInfo[],
  o: MlRankOptions = {},
  missingReason = 'no model',
): MlRanking {
  const penalty = o.lossPenaltyMs ?? 500;
  const nearest = (reason: string): MlRanking => {
    const scores = cands.map((c) => (Number.isFinite(c.rttP50Ms) ? nearestScore(c, penalty) : Infinity));
    return { order: order(scores), predictedMs: cands.map(() => null), scores, mode: 'nearest', reason };
  };
  if (model === null) return nearest(missingReason);
  const live = cands.map((c, i) => ({ c, i })).filter(({ c }) => Number.isFinite(c.rttP50Ms));
  if (live.length === 0) return nearest('no relay answered');
  if (!live.some(({ c }) => hasServerSideInfo(c)))
    return nearest(
      'nothing known yet about the relays’ paths to this server (no reported leg, history or region)',
    );
  const preds = model.predict(live.map(({ c }) => featureVector(c)));
  const predictedMs: (number | null)[] = cands.map(() => null);
  const scores = cands.map(() => Infinity);
  live.forEach(({ c, i }, k) => {
    const p = preds[k]!;
    predictedMs[i] = c.rttP50Ms + Math.max(0, (baselineLeg(c)?.legMs ?? 0) + p.legMs);
    scores[i] = predictedMs[i] + penalty * c.loss;
  });
  const ranked = order(scores);
  const best = live.findIndex(({ i }) => i === ranked[0]);
  const spread = preds[best]?.spreadMs ?? Infinity;
  const unsure = o.unsureMs ?? 25;
  if (spread > unsure) return nearest(`model unsure of its pick (±${spread.toFixed(0)} ms)`);
  return { order: ranked, predictedMs, scores, mode: 'ml', reason: 'predicted end-to-end RTT' };
}
