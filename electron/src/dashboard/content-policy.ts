/** Response headers of every dashboard page and file: a strict CSP and the usual hardening. */

/** The Content-Security-Policy for the UI served at `http://<hostHeader>/`: own scripts, styles and socket only. */
export function contentSecurityPolicy(hostHeader: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ws://${hostHeader}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers sent with every response. */
export function securityHeaders(hostHeader: string): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(hostHeader),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}
