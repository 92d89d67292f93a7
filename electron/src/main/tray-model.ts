/**
 * What the tray shows, as data: icon level, tooltip text and menu items, derived from the boost state and
 * stats. tray-controller.ts only hands this to Electron.
 */
import type { BoostState, BoostStats } from '@lightspeed/shared';

import { classifyRoute, residualLoss, type HealthThresholds, type RouteHealth } from './route-health.js';

/** What the tray needs to know about the app. */
export interface TrayView {
  state: BoostState;
  /** Latest per-second stats of the current session, null before the first sample or when idle. */
  stats: BoostStats | null;
  /** Display name of the game being boosted, if any. */
  game: string | null;
  /** The game "Boost last game" would start, if the user has boosted one before. */
  lastGame: { id: string; name: string } | null;
}

export type TrayAction = 'boost-last' | 'stop' | 'show' | 'quit';

export type TrayMenuItem =
  { type: 'item'; action: TrayAction; label: string; enabled: boolean } | { type: 'separator' };

export interface TrayModel {
  health: RouteHealth;
  tooltip: string;
  menu: TrayMenuItem[];
}

/** Windows truncates tray tooltips past 127 characters; stay under it everywhere. */
export const TOOLTIP_MAX = 127;

const SEP = ' · ';

/** `0.0023` → `0.2%`. */
export function formatLoss(fraction: number): string {
  return `${(Math.max(0, fraction) * 100).toFixed(1)}%`;
}

/** `31.6` → `32 ms`. */
export function formatRtt(ms: number): string {
  return `${Math.round(ms)} ms`;
}

function clip(text: string): string {
  return text.length <= TOOLTIP_MAX ? text : `${text.slice(0, TOOLTIP_MAX - 1)}…`;
}

function isBoosting(state: BoostState): boolean {
  return state.state !== 'idle' && state.state !== 'stopped' && state.state !== 'error';
}

/** Tooltip such as `Fortnite via la-1 · 32 ms · 0.2% loss`. */
export function trayTooltip(view: TrayView): string {
  const { state, stats } = view;
  const game = view.game ?? 'Game';
  switch (state.state) {
    case 'idle':
    case 'stopped':
      return 'LightSpeed · not boosting';
    case 'error':
      return clip(`LightSpeed · error: ${state.reason}`);
    case 'probing':
      return clip(`${game}${SEP}finding the best relay (${state.relays} candidates)`);
    case 'connecting':
      return clip(`${game}${SEP}connecting via ${state.relay.id}`);
    case 'failing-over':
      return clip(
        `${game}${SEP}switching from ${state.from.id}${state.to === null ? '' : ` to ${state.to.id}`}`,
      );
    case 'active':
    case 'degraded': {
      const relay = stats?.relay ?? state.relay;
      const head = `${game} via ${relay.id}`;
      if (stats === null) return clip(`${head}${SEP}measuring…`);
      const rtt = stats.rtt === null ? 'no reply' : formatRtt(stats.rtt.p50);
      return clip(`${head}${SEP}${rtt}${SEP}${formatLoss(residualLoss(stats))} loss`);
    }
  }
}

/** The tray menu: Boost last game, Stop, Show, Quit, enabled according to the state. */
export function trayMenu(view: TrayView): TrayMenuItem[] {
  const boosting = isBoosting(view.state);
  return [
    {
      type: 'item',
      action: 'boost-last',
      label: view.lastGame === null ? 'Boost last game' : `Boost ${view.lastGame.name}`,
      enabled: view.lastGame !== null && !boosting,
    },
    { type: 'item', action: 'stop', label: 'Stop', enabled: boosting },
    { type: 'separator' },
    { type: 'item', action: 'show', label: 'Show LightSpeed', enabled: true },
    { type: 'item', action: 'quit', label: 'Quit', enabled: true },
  ];
}

/** Everything the tray shows for `view`. */
export function trayModel(view: TrayView, thresholds?: HealthThresholds): TrayModel {
  return {
    health: classifyRoute(view.state, view.stats, thresholds),
    tooltip: trayTooltip(view),
    menu: trayMenu(view),
  };
}

/**
 * Icon file (relative to resources/) for a health level. Windows and macOS draw tray icons at 16 px (the
 * `@2x` sibling is picked up on high-DPI screens); Linux status areas are larger, so they get the 32 px set.
 */
export function trayIconFile(health: RouteHealth, platform: NodeJS.Platform): string {
  const size = platform === 'linux' ? 32 : 16;
  return `tray/${health}-${size}.png`;
}
