/**
 * Who may talk to the dashboard: a random per-run token that must start every URL path (compared in
 * constant time), a Host header naming this server (so a DNS-rebinding page cannot reach it), and for
 * WebSockets an Origin that matches that Host.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** A fresh URL-safe token with 192 bits of randomness. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Constant-time comparison; hashing first makes the time independent of the lengths too. */
export function tokenMatches(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b) && expected.length === given.length;
}

/** Whether a bind address keeps the server on this machine. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1' || host === '[::1]') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** Splits `/<token>/<rest>` into its parts; null when the path has no token segment. */
export function splitTokenPath(pathname: string): { token: string; rest: string } | null {
  const m = /^\/([A-Za-z0-9_-]{1,128})(\/.*)?$/.exec(pathname);
  if (!m) return null;
  return { token: m[1]!, rest: m[2] ?? '' };
}

/** The Host header values this server answers to when bound to `host:port` on loopback. */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set([host, '127.0.0.1', 'localhost']);
  if (host === '::1' || host === '[::1]') names.add('[::1]');
  return new Set([...names].map((n) => `${n.includes(':') && !n.startsWith('[') ? `[${n}]` : n}:${port}`));
}

/** Whether a WebSocket's Origin header is this very page (`http://<Host>`). */
export function originMatches(origin: string | undefined, hostHeader: string): boolean {
  return origin === `http://${hostHeader}`;
}
