/**
 * The store's domains, one slice each: app (connection, navigation, notices), boost (session state and
 * stats), games, relays and settings. Each slice is plain data plus pure reducers the store applies to
 * the snapshot and to notifications.
 */
import type {
  AppInfo,
  AppSnapshot,
  BoostStats,
  BoostStatus,
  CatalogEntryView,
  DiagnoseView,
  GamesView,
  IpcErrorCode,
  RelaysView,
  Settings,
} from '@lightspeed/shared';

export type ViewName = 'library' | 'session' | 'relays' | 'settings';
export type Connection = 'loading' | 'ready' | 'reconnecting' | 'failed';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

export interface AppSlice {
  info: AppInfo | null;
  connection: Connection;
  view: ViewName;
  notices: Notice[];
}

export interface BoostSlice {
  status: BoostStatus;
  stats: BoostStats | null;
  /** Oldest first, at most `HISTORY_LIMIT`. */
  history: BoostStats[];
  pending: 'starting' | 'stopping' | null;
  /** The last "Compare with direct" (diagnose) result, or its failure; `running` while it measures. */
  diagnosis: { running: boolean; result: DiagnoseView | null; error: string | null };
  /** Last start/stop failure, with its code so views can react (e.g. `needs-server`). */
  error: { code: IpcErrorCode; message: string; gameId: string | null } | null;
}

export interface GamesSlice {
  view: GamesView;
  catalog: CatalogEntryView[];
  refreshing: boolean;
}

export interface RelaysSlice {
  view: RelaysView;
}

export interface SettingsSlice {
  /** null until the snapshot arrives. */
  value: Settings | null;
  saving: boolean;
}

/** Samples kept for the chart: five minutes at one per second. */
export const HISTORY_LIMIT = 300;

export const initialApp: AppSlice = { info: null, connection: 'loading', view: 'library', notices: [] };
export const initialBoost: BoostSlice = {
  status: { state: { state: 'idle' }, session: null },
  stats: null,
  history: [],
  pending: null,
  diagnosis: { running: false, result: null, error: null },
  error: null,
};
export const initialGames: GamesSlice = {
  view: { games: [], scannedAtMs: null, skipped: [] },
  catalog: [],
  refreshing: false,
};
export const initialRelays: RelaysSlice = { view: { relays: [], pinned: null, probing: false } };
export const initialSettings: SettingsSlice = { value: null, saving: false };

/** Appends a stats sample, dropping the oldest beyond the limit and any sample not newer than the last. */
export function withStats(slice: BoostSlice, stats: BoostStats): BoostSlice {
  const last = slice.history.at(-1);
  if (last && stats.atMs <= last.atMs) return { ...slice, stats };
  const history =
    slice.history.length >= HISTORY_LIMIT
      ? [...slice.history.slice(1 - HISTORY_LIMIT), stats]
      : [...slice.history, stats];
  return { ...slice, stats, history };
}

/** A new session clears the previous session's history. */
export function withStatus(slice: BoostSlice, status: BoostStatus): BoostSlice {
  const before = slice.status.session?.startedAtMs;
  const after = status.session?.startedAtMs;
  const newSession = after !== undefined && after !== before;
  return newSession ? { ...slice, status, stats: null, history: [] } : { ...slice, status };
}

/** The slices as the snapshot says. */
export function fromSnapshot(s: AppSnapshot): {
  info: AppInfo;
  boost: Pick<BoostSlice, 'status' | 'stats' | 'history'>;
  games: Pick<GamesSlice, 'view' | 'catalog'>;
  relays: RelaysSlice;
  settings: Settings;
} {
  return {
    info: s.app,
    boost: { status: s.boost, stats: s.stats, history: s.statsHistory.slice(-HISTORY_LIMIT) },
    games: { view: s.games, catalog: s.catalog },
    relays: { view: s.relays },
    settings: s.settings,
  };
}
