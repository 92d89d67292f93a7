/**
 * The renderer's Content-Security-Policy, as data. The packaged app serves the UI from the privileged
 * `app://` scheme (see app-protocol.ts) and the development build from Vite's dev server; both get the
 * policy as a response header, so it cannot be loosened by the page itself.
 */

export type CspDirectives = Readonly<Record<string, readonly string[]>>;

/** The origin the packaged UI is served from (see app-protocol.ts). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'lightspeed';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * Production policy. The UI talks to the engine only through the preload bridge, so it needs no network:
 * `connect-src` is limited to its own origin. No `unsafe-eval` and no `unsafe-inline` anywhere.
 */
export const PRODUCTION_CSP: CspDirectives = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
  'frame-src': ["'none'"],
  'worker-src': ["'none'"],
};

/**
 * Development policy for Vite's dev server at `devServerUrl`: its HMR WebSocket must be reachable, React
 * Refresh injects one inline module script and Vite injects CSS as `<style>` elements, so `unsafe-inline`
 * is allowed for scripts and styles here only. Still no `unsafe-eval`, and connections stay on that one
 * origin.
 */
export function developmentCsp(devServerUrl: string): CspDirectives {
  const http = new URL(devServerUrl);
  const ws = `${http.protocol === 'https:' ? 'wss:' : 'ws:'}//${http.host}`;
  return {
    ...PRODUCTION_CSP,
    'script-src': ["'self'", "'unsafe-inline'"],
    'style-src': ["'self'", "'unsafe-inline'"],
    'connect-src': ["'self'", http.origin, ws],
  };
}

/** Serialises directives into the header value, in insertion order. */
export function serializeCsp(directives: CspDirectives): string {
  return Object.entries(directives)
    .map(([name, sources]) => [name, ...sources].join(' '))
    .join('; ');
}

/** Returns `headers` with any existing CSP replaced by `policy` (header names are case-insensitive). */
export function withCspHeader(
  headers: Readonly<Record<string, string[] | string>> | undefined,
  policy: string,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'content-security-policy') continue;
    out[name] = Array.isArray(value) ? [...value] : [value];
  }
  out['Content-Security-Policy'] = [policy];
  return out;
}
