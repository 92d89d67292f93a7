/**
 * Preload (sandboxed, bundled to CommonJS by Forge's Vite plugin): exposes exactly one object to the page,
 * `window.lightspeed`, built from the IPC contract. The page gets typed functions, never `ipcRenderer`.
 */
import { contextBridge, ipcRenderer } from 'electron';

import { API_GLOBAL, createRendererApi, ipcSchema, type LightspeedApi } from '@lightspeed/shared';

import { ipcRendererTransport } from './ipc-renderer-transport.js';

const lightspeed: LightspeedApi = createRendererApi(ipcSchema, ipcRendererTransport(ipcRenderer));

/** The exposed object's type, for the global declaration in lightspeed-global.d.ts. */
export type ExposedApi = typeof lightspeed;

contextBridge.exposeInMainWorld(API_GLOBAL, lightspeed);
