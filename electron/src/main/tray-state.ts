/**
 * Follows the contract's notifications (boost status and stats) and keeps what the tray shows. Pure: the
 * shell feeds it and hands `view()` to the tray controller.
 */
import type { BoostStats, BoostStatus } from '@lightspeed/shared';

import { lastBoostFrom, type LastBoost } from './desktop-state.js';
import type { TrayView } from './tray-model.js';

const ENDED: ReadonlySet<string> = new Set(['idle', 'stopped', 'error']);

export class TrayState {
  private status: BoostStatus = { state: { state: 'idle' }, session: null };
  private stats: BoostStats | null = null;

  constructor(private last: LastBoost | null) {}

  /** Applies a status; returns the new "last boost" when this status started a different session, else null. */
  onStatus(status: BoostStatus): LastBoost | null {
    const previous = this.status.session;
    this.status = status;
    if (ENDED.has(status.state.state) || status.session === null) {
      this.stats = null;
      return null;
    }
    if (previous?.startedAtMs !== status.session.startedAtMs) this.stats = null;
    const next = lastBoostFrom(status);
    if (next === null || JSON.stringify(next) === JSON.stringify(this.last)) return null;
    this.last = next;
    return next;
  }

  /** Applies a per-second stats sample (ignored when no session runs). */
  onStats(stats: BoostStats): void {
    if (this.status.session !== null && !ENDED.has(this.status.state.state)) this.stats = stats;
  }

  /** The last boosted target, for "Boost last game". */
  get lastBoost(): LastBoost | null {
    return this.last;
  }

  /** What the tray should show now. */
  view(): TrayView {
    return {
      state: this.status.state,
      stats: this.stats,
      game: this.status.session?.name ?? null,
      lastGame: this.last === null ? null : { id: lastBoostId(this.last), name: this.last.name },
    };
  }
}

function lastBoostId(last: LastBoost): string {
  return last.target.kind === 'game' ? last.target.gameId : last.target.server;
}
