/** The contract's derived types for LightSpeed, named once so every side imports the same names. */
import type { MainHandlers, MainNotifier, RendererApi } from './derive.js';
import type { LightspeedSchema } from './schema.js';

/** The object the UI talks to (`window.lightspeed` in Electron; the WebSocket client in a browser). */
export type LightspeedApi = RendererApi<LightspeedSchema>;
/** What the main side implements. */
export type LightspeedHandlers = MainHandlers<LightspeedSchema>;
/** What the main side calls to push updates. */
export type LightspeedNotifier = MainNotifier<LightspeedSchema>;

/** The name under which the preload (Electron) exposes the `LightspeedApi` object on `window`. */
export const API_GLOBAL = 'lightspeed';
