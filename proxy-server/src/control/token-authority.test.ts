import { describe, expect, it } from 'vitest';

import { RegisterRateLimiter } from './register-rate-limiter.js';
import { normalizeIp, TokenAuthority, type RevokeCause } from './token-authority.js';

describe('TokenAuthority', () => {
  it('accepts only the (source IP, token) pairs it issued, for any token byte', () => {
    const auth = new TokenAuthority();
    const reg = auth.issue('10.0.0.1', 2)!;
    expect(reg.token).toBeGreaterThanOrEqual(1);
    expect(reg.token).toBeLessThanOrEqual(255);
    for (let token = 0; token < 256; token++) {
      expect(auth.authorize('10.0.0.1', token)).toBe(token === reg.token);
      expect(auth.authorize('10.0.0.2', token)).toBe(false);
    }
    expect(auth.authorize('::ffff:10.0.0.1', reg.token)).toBe(true);
    expect(auth.stats()).toMatchObject({ issued: 1, active: 1, authorized: 2, denied: 511 });
  });

  it('keeps a token through data-session ends and kills it when its registration is revoked', () => {
    const auth = new TokenAuthority();
    const causes: RevokeCause[] = [];
    auth.onRevoke((_reg, cause) => causes.push(cause));
    const a = auth.issue('10.0.0.1', 1)!;
    const b = auth.issue('10.0.0.1', 1)!;
    expect(a.token).not.toBe(b.token);
    auth.sessionEnded('10.0.0.1', a.token); // one game socket went quiet: the others keep the token
    expect(auth.authorize('10.0.0.1', a.token)).toBe(true);
    expect(auth.stats().dataSessionsEnded).toBe(1);
    expect(auth.revoke(a.sessionId, 'control-closed')).toBe(true);
    expect(auth.authorize('10.0.0.1', a.token)).toBe(false);
    expect(auth.authorize('10.0.0.1', b.token)).toBe(true);
    expect(auth.revoke(b.sessionId)).toBe(true);
    expect(auth.revoke(b.sessionId)).toBe(false);
    auth.sessionEnded('10.0.0.1', b.token); // dead token: not counted
    expect(auth.stats().dataSessionsEnded).toBe(1);
    expect(causes).toEqual(['control-closed', 'revoked']);
    expect(auth.active).toBe(0);
  });

  it('never hands one IP the same token twice while live, and refuses past maxPerIp', () => {
    let n = 0;
    const sequence = [7, 7, 7, 9, 1, 2, 3];
    const auth = new TokenAuthority({ maxPerIp: 3, randomInt: () => sequence[n++ % sequence.length]! });
    const tokens = [auth.issue('1.2.3.4', 1), auth.issue('1.2.3.4', 1), auth.issue('1.2.3.4', 1)].map(
      (r) => r?.token,
    );
    expect(new Set(tokens).size).toBe(3);
    expect(auth.issue('1.2.3.4', 1)).toBeNull();
    expect(auth.stats().refusedPerIpLimit).toBe(1);
    expect(auth.issue('1.2.3.5', 1)).not.toBeNull();
  });

  it('normalises IPv4-mapped IPv6 addresses', () => {
    expect(normalizeIp('::ffff:127.0.0.2')).toBe('127.0.0.2');
    expect(normalizeIp('::1')).toBe('::1');
  });
});

describe('RegisterRateLimiter', () => {
  it('allows a burst per IP, then refills at the configured rate', () => {
    let now = 0;
    const limiter = new RegisterRateLimiter({ burst: 2, perMinute: 6 }, () => now);
    expect([limiter.allow('a'), limiter.allow('a'), limiter.allow('a')]).toEqual([true, true, false]);
    expect(limiter.allow('b')).toBe(true);
    now += 9_999;
    expect(limiter.allow('a')).toBe(false);
    now += 1;
    expect(limiter.allow('a')).toBe(true);
    expect(limiter.allow('a')).toBe(false);
  });
});
