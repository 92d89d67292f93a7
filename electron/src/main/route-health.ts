/**
 * Route health for the tray: one of four levels from the boost state and the latest per-second stats.
 * Pure, so the thresholds are tested without Electron.
 */
import type { BoostState, BoostStats } from '@lightspeed/shared';

export type RouteHealth = 'idle' | 'good' | 'degraded' | 'bad';

export const ROUTE_HEALTH_LEVELS: readonly RouteHealth[] = ['idle', 'good', 'degraded', 'bad'];

/** Limits for one metric: below `degraded` is good, at or above `bad` is bad. */
export interface Limits {
  degraded: number;
  bad: number;
}

export interface HealthThresholds {
  /** Median RTT of the last interval, ms. */
  rttMs: Limits;
  jitterMs: Limits;
  /** Residual loss (after FEC) as a fraction 0..1: what the game actually sees. */
  loss: Limits;
}

/** Defaults tuned for real-time games: ~80 ms and 1% residual loss are where players start to notice. */
export const DEFAULT_THRESHOLDS: HealthThresholds = {
  rttMs: { degraded: 80, bad: 150 },
  jitterMs: { degraded: 15, bad: 40 },
  loss: { degraded: 0.01, bad: 0.05 },
};

const RANK: Record<RouteHealth, number> = { idle: 0, good: 1, degraded: 2, bad: 3 };

function worse(a: RouteHealth, b: RouteHealth): RouteHealth {
  return RANK[a] >= RANK[b] ? a : b;
}

function level(value: number, limits: Limits): RouteHealth {
  if (!Number.isFinite(value)) return 'bad';
  if (value >= limits.bad) return 'bad';
  if (value >= limits.degraded) return 'degraded';
  return 'good';
}

/** The residual loss the game sees: downstream after FEC (upstream is repaired at the relay). */
export function residualLoss(stats: BoostStats): number {
  return stats.lossDownAfterFec;
}

/** Classifies the stats of a carried route; a route with no RTT sample in the interval is bad. */
export function classifyStats(
  stats: BoostStats,
  thresholds: HealthThresholds = DEFAULT_THRESHOLDS,
): RouteHealth {
  if (stats.rtt === null) return 'bad';
  return [
    level(stats.rtt.p50, thresholds.rttMs),
    level(stats.jitterMs, thresholds.jitterMs),
    level(residualLoss(stats), thresholds.loss),
  ].reduce(worse, 'good');
}

/**
 * Route health from the boost state and the latest stats (null before the first sample). Not boosting is
 * idle; setting up a route is degraded (traffic is not protected yet); failing over or an error is bad;
 * an active route is judged by its stats, and the engine's own `degraded` verdict is never upgraded.
 */
export function classifyRoute(
  state: BoostState,
  stats: BoostStats | null,
  thresholds: HealthThresholds = DEFAULT_THRESHOLDS,
): RouteHealth {
  switch (state.state) {
    case 'idle':
    case 'stopped':
      return 'idle';
    case 'probing':
    case 'connecting':
      return 'degraded';
    case 'failing-over':
    case 'error':
      return 'bad';
    case 'active':
      return stats === null ? 'good' : classifyStats(stats, thresholds);
    case 'degraded':
      return worse('degraded', stats === null ? 'degraded' : classifyStats(stats, thresholds));
  }
}
