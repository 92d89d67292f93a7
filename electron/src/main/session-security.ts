/**
 * Session-wide security: the `app://` protocol that serves the packaged UI with its CSP header, the CSP
 * header on the dev server's responses, and no permissions (camera, notifications, …) for any page.
 */
import { pathToFileURL } from 'node:url';

import { net, protocol, type Session } from 'electron';

import { resolveAppRequest } from './app-protocol.js';
import { APP_SCHEME, withCspHeader } from './content-security-policy.js';

/** Serves `rootDir` (the renderer build) at app://lightspeed/ with `csp` on every response. */
export function serveAppProtocol(rootDir: string, csp: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppRequest(request.url, rootDir);
    if (file === null) return new Response('not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', csp);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
}

/** Adds `csp` to every HTTP response of `session` (the Vite dev server in development) and denies permissions. */
export function hardenSession(session: Session, csp: string): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCspHeader(details.responseHeaders, csp) });
  });
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
