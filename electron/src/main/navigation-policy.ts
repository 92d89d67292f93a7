/**
 * What the renderer may load. The window shows exactly one origin (the packaged `app://` origin or the
 * Vite dev server); every navigation elsewhere, every `window.open` and every permission request is
 * refused.
 */

/** Whether `url` stays on `allowedOrigin` (scheme, host and port all equal). */
export function isSameOrigin(url: string, allowedOrigin: string): boolean {
  let target: URL;
  let allowed: URL;
  try {
    target = new URL(url);
    allowed = new URL(allowedOrigin);
  } catch {
    return false;
  }
  // URL.origin is "null" for non-special schemes such as app:, so compare the parts.
  return (
    target.protocol === allowed.protocol &&
    target.host === allowed.host &&
    target.username === '' &&
    target.password === ''
  );
}

/** Decision for `will-navigate` / `will-redirect`: only in-app navigation (e.g. a hash route) is allowed. */
export function allowNavigation(url: string, appOrigin: string): boolean {
  return isSameOrigin(url, appOrigin);
}

/** Decision for `setWindowOpenHandler`: no new windows, ever. */
export const WINDOW_OPEN_DECISION = { action: 'deny' } as const;
