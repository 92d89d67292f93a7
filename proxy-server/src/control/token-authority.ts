/**
 * The token table behind `require_auth = true`: the control plane issues one random token byte per
 * registration, bound to the client's source IP; the data plane accepts only (source IP, token) pairs in
 * this table, on every packet. A token dies with its registration session: Disconnect, control idle
 * timeout, the QUIC connection closing, or relay shutdown. A data-plane session ending does not kill it:
 * one registered engine runs several data sessions (one per game socket, plus its link socket) under one
 * token, and a game socket going quiet must not cut the others off.
 */
import { randomInt } from 'node:crypto';

import type { SessionAuthority } from '../auth/session-authority.js';

export interface Registration {
  sessionId: number;
  token: number;
  ip: string;
  gameId: number;
  createdAtMs: number;
}

/** Why a registration ended (given to revoke listeners). */
export type RevokeCause = 'control-closed' | 'revoked';

export interface TokenAuthorityStats {
  issued: number;
  revoked: number;
  active: number;
  authorized: number;
  denied: number;
  /** Registrations refused because the IP already holds `maxPerIp` tokens. */
  refusedPerIpLimit: number;
  /** Data-plane sessions reported ended under a live token. */
  dataSessionsEnded: number;
}

export interface TokenAuthorityOptions {
  /** Live registrations one source IP may hold at once (1..255). */
  maxPerIp?: number;
  /** Live registrations in total. */
  capacity?: number;
  /** Injectable CSPRNG for tests: returns an integer in [min, max). */
  randomInt?: (min: number, max: number) => number;
  now?: () => number;
}

/** Tokens handed out are 1..255: 0 is what deployed clients send when they have none. */
const TOKEN_MIN = 1;
const TOKEN_MAX_EXCLUSIVE = 256;

/** Normalises an address the way both planes report it (IPv4-mapped IPv6 → dotted IPv4). */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/** SessionAuthority backed by tokens the control plane issued; see the file comment. */
export class TokenAuthority implements SessionAuthority {
  private readonly byIp = new Map<string, Map<number, Registration>>();
  private readonly bySession = new Map<number, Registration>();
  private readonly listeners = new Set<(reg: Registration, cause: RevokeCause) => void>();
  private readonly maxPerIp: number;
  private readonly capacity: number;
  private readonly rand: (min: number, max: number) => number;
  private readonly now: () => number;
  private counters = {
    issued: 0,
    revoked: 0,
    authorized: 0,
    denied: 0,
    refusedPerIpLimit: 0,
    dataSessionsEnded: 0,
  };

  constructor(opts: TokenAuthorityOptions = {}) {
    this.maxPerIp = Math.min(255, Math.max(1, opts.maxPerIp ?? 16));
    this.capacity = Math.max(1, opts.capacity ?? 10_000);
    this.rand = opts.randomInt ?? randomInt;
    this.now = opts.now ?? Date.now;
  }

  /** Issues a fresh (session id, token) for `ip`, or null when the IP or the table is full. */
  issue(ip: string, gameId: number): Registration | null {
    const key = normalizeIp(ip);
    const tokens = this.byIp.get(key) ?? new Map<number, Registration>();
    if (tokens.size >= this.maxPerIp || this.bySession.size >= this.capacity) {
      this.counters.refusedPerIpLimit += tokens.size >= this.maxPerIp ? 1 : 0;
      return null;
    }
    let token = this.rand(TOKEN_MIN, TOKEN_MAX_EXCLUSIVE);
    while (tokens.has(token)) token = this.rand(TOKEN_MIN, TOKEN_MAX_EXCLUSIVE);
    let sessionId = this.rand(1, 0x1_0000_0000 - 1);
    while (this.bySession.has(sessionId)) sessionId = this.rand(1, 0x1_0000_0000 - 1);
    const reg: Registration = { sessionId, token, ip: key, gameId, createdAtMs: this.now() };
    tokens.set(token, reg);
    this.byIp.set(key, tokens);
    this.bySession.set(sessionId, reg);
    this.counters.issued++;
    return reg;
  }

  /** Whether a data packet from `ip` carrying `token` may open or use a session. */
  authorize(ip: string, token: number): boolean {
    const ok = this.byIp.get(normalizeIp(ip))?.has(token) ?? false;
    if (ok) this.counters.authorized++;
    else this.counters.denied++;
    return ok;
  }

  /** A data-plane session under (`ip`, `token`) ended; the token lives on with its registration (file comment). */
  sessionEnded(ip: string, token: number): void {
    if (this.byIp.get(normalizeIp(ip))?.has(token)) this.counters.dataSessionsEnded++;
  }

  /** Ends a registration by session id (control connection closed, Disconnect, shutdown). */
  revoke(sessionId: number, cause: RevokeCause = 'revoked'): boolean {
    const reg = this.bySession.get(sessionId);
    if (!reg) return false;
    this.remove(reg, cause);
    return true;
  }

  /** Registration for a session id, if it is still live. */
  get(sessionId: number): Registration | undefined {
    return this.bySession.get(sessionId);
  }

  /** Number of live registrations. */
  get active(): number {
    return this.bySession.size;
  }

  /** Subscribes to registrations ending; returns the unsubscribe function. */
  onRevoke(listener: (reg: Registration, cause: RevokeCause) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Counters for metrics and /health. */
  stats(): TokenAuthorityStats {
    return { ...this.counters, active: this.bySession.size };
  }

  private remove(reg: Registration, cause: RevokeCause): void {
    this.bySession.delete(reg.sessionId);
    const tokens = this.byIp.get(reg.ip);
    tokens?.delete(reg.token);
    if (tokens && tokens.size === 0) this.byIp.delete(reg.ip);
    this.counters.revoked++;
    for (const listener of this.listeners) listener(reg, cause);
  }
}
