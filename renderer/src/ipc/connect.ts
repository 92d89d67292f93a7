/**
 * Finds the `LightspeedApi` for this page: the object Electron's preload exposes on `window`, else a
 * WebSocket client to the dashboard that served the page, else (development, `?fake`) the fake backend.
 */
import { API_GLOBAL, type LightspeedApi } from '@lightspeed/shared';

import type { ConnectionState } from './ws-client.js';

export interface Connected {
  api: LightspeedApi;
  onConnection?: (listener: (state: ConnectionState) => void) => () => void;
}

/** Picks the transport for this page. */
export async function connect(): Promise<Connected> {
  const exposed = (window as unknown as Record<string, LightspeedApi | undefined>)[API_GLOBAL];
  if (exposed) return { api: exposed };
  if (import.meta.env.DEV && new URLSearchParams(location.search).has('fake')) {
    const { FakeBackend } = await import('./fake-backend.js');
    return { api: new FakeBackend().api };
  }
  const { connectWs, socketUrlFor } = await import('./ws-client.js');
  const client = connectWs(socketUrlFor(location.href));
  return { api: client.api, onConnection: (l) => client.onConnection(l) };
}
