/**
 * THE IPC contract between the UI and the main side (Electron main process or the dashboard bridge).
 * Every channel is listed here and nowhere else; both sides derive typed functions from it
 * (`RendererApi`, `MainHandlers`, `MainNotifier` in derive.ts), and both validate inbound arguments with
 * the schemas below.
 */
import type { BoostStats } from '../boost/boost-state.js';
import { invoke, notify } from './channel.js';
import {
  addServerSchema,
  boostStartSchema,
  diagnoseRequestSchema,
  noArgSchema,
  relayPinSchema,
  removeServerSchema,
  settingsPatchSchema,
  type AddServerRequest,
  type AppSnapshot,
  type BoostStartRequest,
  type BoostStartResult,
  type BoostStatus,
  type DiagnoseRequest,
  type DiagnoseView,
  type GameView,
  type GamesView,
  type RelayPinRequest,
  type RelaysView,
  type RemoveServerRequest,
  type Settings,
  type SettingsPatch,
} from './model.js';

export const ipcSchema = {
  state: {
    /** The full snapshot the UI starts from. */
    get: invoke<undefined, AppSnapshot>(noArgSchema),
  },
  boost: {
    start: invoke<BoostStartRequest, BoostStartResult>(boostStartSchema),
    stop: invoke<undefined, undefined>(noArgSchema),
    state: notify<BoostStatus>(),
    stats: notify<BoostStats>(),
  },
  relays: {
    probe: invoke<undefined, RelaysView>(noArgSchema),
    /** `relayId: null` returns to automatic selection. */
    pin: invoke<RelayPinRequest, RelaysView>(relayPinSchema),
    changed: notify<RelaysView>(),
  },
  games: {
    refresh: invoke<undefined, GamesView>(noArgSchema),
    addServer: invoke<AddServerRequest, GameView>(addServerSchema),
    removeServer: invoke<RemoveServerRequest, GamesView>(removeServerSchema),
    changed: notify<GamesView>(),
  },
  diagnose: {
    /** The direct path to a game server against each configured relay path (the CLI's `diagnose`). */
    run: invoke<DiagnoseRequest, DiagnoseView>(diagnoseRequestSchema),
  },
  settings: {
    get: invoke<undefined, Settings>(noArgSchema),
    set: invoke<SettingsPatch, Settings>(settingsPatchSchema),
    changed: notify<Settings>(),
  },
};

export type LightspeedSchema = typeof ipcSchema;
