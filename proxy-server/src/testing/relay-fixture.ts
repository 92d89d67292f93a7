import { pino } from 'pino';

import type { SessionAuthority } from '../auth/session-authority.js';
import { resolveConfig, type RelayConfig } from '../config/config.js';
import { startRelay, type Relay } from '../relay/start-relay.js';

/** Per-section overrides of the test config (each section merged over the defaults below). */
export type RelayOverrides = { [K in keyof RelayConfig]?: Partial<RelayConfig[K]> };
type Overrides = RelayOverrides;

/** A loopback test config: ports 0, auth off, control plane off, 127.0.0.0/8 allow-listed explicitly, silent logs. */
export function testConfig(overrides: Overrides = {}): RelayConfig {
  const base: Overrides = {
    server: {
      node_id: 'test-relay',
      region: 'test',
      data_bind: '127.0.0.1:0',
      health_bind: '127.0.0.1:0',
      control_bind: '127.0.0.1:0',
    },
    security: { require_auth: false, allow_destinations: ['127.0.0.0/8'] },
    log: { level: 'silent' },
    // Data-plane tests do not need the QUIC control plane (its own tests start it).
    control: { enabled: false },
  };
  const merged: Record<string, unknown> = {};
  for (const section of new Set([...Object.keys(base), ...Object.keys(overrides)]) as Set<
    keyof RelayConfig
  >) {
    merged[section] = { ...base[section], ...overrides[section] };
  }
  return resolveConfig(merged);
}

/** Starts a relay with `testConfig(overrides)`. */
export function startTestRelay(overrides: Overrides = {}, authority?: SessionAuthority): Promise<Relay> {
  return startRelay(testConfig(overrides), {
    logger: pino({ level: 'silent' }),
    ...(authority !== undefined && { authority }),
  });
}

/** Fetches /metrics and returns the value of one sample (0 when absent). */
export async function metric(
  relay: Relay,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${relay.healthPort}/metrics`)).text();
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return 0;
}

/** Shorthand for the drop counter of one reason. */
export function drops(relay: Relay, reason: string): Promise<number> {
  return metric(relay, 'lightspeed_relay_dropped_packets_total', { reason });
}

/** Polls `check` until it returns true (or throws after `timeoutMs`): for conditions reached asynchronously. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
