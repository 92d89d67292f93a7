import { describe, expect, it } from 'vitest';

import { SessionCreationLimiter } from './creation-limiter.js';
import { ConfigError, resolveConfig } from '../config/config.js';

describe('SessionCreationLimiter', () => {
  it('allows a burst, then the refill rate, per source IP', () => {
    const l = new SessionCreationLimiter(2, 4);
    const taken = (ip: string, now: number, n: number): number => {
      let ok = 0;
      for (let i = 0; i < n; i++) if (l.tryTake(ip, now)) ok++;
      return ok;
    };
    expect(taken('192.0.2.1', 0, 10)).toBe(4);
    // Another source is not affected by the first one's churn.
    expect(taken('192.0.2.2', 0, 10)).toBe(4);
    // 2/s: after 500 ms one more, after another 1000 ms two more, never more than the burst.
    expect(taken('192.0.2.1', 500, 10)).toBe(1);
    expect(taken('192.0.2.1', 1500, 10)).toBe(2);
    expect(taken('192.0.2.1', 100_000, 10)).toBe(4);
  });

  it('bounds a churning source over any stretch of time to burst + rate x time', () => {
    const l = new SessionCreationLimiter(5, 16);
    let ok = 0;
    for (let t = 0; t <= 60_000; t += 1) if (l.tryTake('198.51.100.7', t)) ok++;
    expect(ok).toBeLessThanOrEqual(16 + 5 * 60);
    expect(ok).toBeGreaterThanOrEqual(16 + 5 * 60 - 1);
  });

  it('forgets refilled sources, and refuses new sources only when full of active ones', () => {
    const l = new SessionCreationLimiter(1, 2, 3);
    for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) expect(l.tryTake(ip, 0)).toBe(true);
    expect(l.tracked).toBe(3);
    expect(l.tryTake('10.0.0.4', 0)).toBe(false); // table full of sources still below their burst
    expect(l.tryTake('10.0.0.4', 1000)).toBe(true); // the others have refilled: pruned, room again
    expect(l.tracked).toBe(1);
    l.prune(10_000);
    expect(l.tracked).toBe(0);
  });
});

describe('session creation config', () => {
  it('defaults to 2/s with a burst of max_sessions_per_ip, and names bad keys', () => {
    const c = resolveConfig({});
    expect(c.security.session_rate_per_ip).toBe(2);
    expect(c.security.session_burst_per_ip).toBe(16);
    expect(resolveConfig({ security: { max_sessions_per_ip: 40 } }).security.session_burst_per_ip).toBe(40);
    for (const [input, path] of [
      [{ security: { session_rate_per_ip: 0 } }, 'security.session_rate_per_ip'],
      [{ security: { session_burst_per_ip: 2.5 } }, 'security.session_burst_per_ip'],
    ] as const) {
      expect(() => resolveConfig(input)).toThrow(ConfigError);
      expect(() => resolveConfig(input)).toThrow(path);
    }
  });
});
