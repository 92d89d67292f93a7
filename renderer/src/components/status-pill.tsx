import type { BoostState, BoostStats } from '@lightspeed/shared';

import { routeHealth, stateLabel } from '../format.js';

/** The state with its health colour; a live region so screen readers hear changes. */
export function StatusPill({
  state,
  stats,
  large = false,
}: {
  state: BoostState;
  stats: BoostStats | null;
  large?: boolean;
}) {
  const health = routeHealth(state, stats);
  return (
    <span
      className={`pill pill-${health}${large ? ' pill-large' : ''}`}
      role="status"
      aria-live="polite"
      data-state={state.state}
    >
      <span className="dot" aria-hidden="true" />
      {stateLabel(state.state)}
    </span>
  );
}
