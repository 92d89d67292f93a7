/** Display formatting and the route-health rule, shared by the views. Pure. */
import type { BoostState, BoostStats } from '@lightspeed/shared';

/** `12.3 ms` below 10 ms, `42 ms` above; an em dash for no value. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** A 0..1 fraction as a percentage with precision where it matters (`0.42%`, `3.1%`, `25%`). */
export function formatPct(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  const pct = fraction * 100;
  if (pct === 0) return '0%';
  if (pct < 1) return `${pct.toFixed(2)}%`;
  if (pct < 10) return `${pct.toFixed(1)}%`;
  return `${Math.round(pct)}%`;
}

/** Compact counts: 950, 12.4k, 3.2M. */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (n < 1000) return String(Math.round(n));
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** `m:ss` or `h:mm:ss`. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

const LABELS: Record<BoostState['state'], string> = {
  idle: 'Ready',
  probing: 'Finding the best relay',
  connecting: 'Connecting',
  active: 'Boosted',
  degraded: 'Degraded',
  'failing-over': 'Switching relay',
  stopped: 'Stopped',
  error: 'Error',
};

/** What the user reads for a state. */
export function stateLabel(state: BoostState['state']): string {
  return LABELS[state];
}

export type RouteHealth = 'idle' | 'good' | 'degraded' | 'bad';

/** Route health from the state and the last stats: the colour of the status dot (and of the tray). */
export function routeHealth(state: BoostState, stats: BoostStats | null): RouteHealth {
  switch (state.state) {
    case 'idle':
    case 'stopped':
      return 'idle';
    case 'error':
    case 'failing-over':
      return 'bad';
    case 'degraded':
      return 'degraded';
    case 'probing':
    case 'connecting':
      return 'degraded';
    case 'active': {
      if (!stats) return 'good';
      const loss = stats.lossDownAfterFec;
      const rtt = stats.rtt?.p50 ?? 0;
      if (loss > 0.05 || rtt > 150) return 'bad';
      if (loss > 0.01 || rtt > 80) return 'degraded';
      return 'good';
    }
  }
}

/** The relay a state names, if any. */
export function relayOf(state: BoostState): { id: string; address: string; region?: string } | null {
  switch (state.state) {
    case 'connecting':
    case 'active':
    case 'degraded':
      return state.relay;
    case 'failing-over':
      return state.to ?? state.from;
    default:
      return null;
  }
}
