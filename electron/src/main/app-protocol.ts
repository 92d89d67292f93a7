/**
 * The packaged UI is served from `app://lightspeed/…` rather than `file://`, so that it has a real origin
 * (CSP `'self'` then means exactly the bundled files) and every response carries the CSP header. This
 * module maps such a URL to a file inside the renderer's build folder, refusing anything outside it.
 */
import path from 'node:path';

import { APP_HOST, APP_SCHEME } from './content-security-policy.js';

/** Privileges for `protocol.registerSchemesAsPrivileged` (must run before `app.whenReady`). */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true },
} as const;

/** The URL the main window loads in a packaged build. */
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Resolves an `app://lightspeed/<path>` request to a file under `rootDir`, or null if it must be refused. */
export function resolveAppRequest(requestUrl: string, rootDir: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  if (pathname === '' || pathname === '/') pathname = '/index.html';
  const root = path.resolve(rootDir);
  const file = path.resolve(root, `.${path.posix.normalize(pathname)}`);
  const rel = path.relative(root, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return file;
}
