// The object the preload exposes, as the page sees it (`window.lightspeed`).
import type { ExposedApi } from './preload.js';

declare global {
  interface Window {
    readonly lightspeed: ExposedApi;
  }
}
