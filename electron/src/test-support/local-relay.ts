/** Our relay (`@lightspeed/proxy-server`) on loopback, as tests, the demo and the benchmark run it. */
import { resolveConfig, startRelay, type Relay } from '@lightspeed/proxy-server';

export interface LocalRelayOptions {
  nodeId?: string;
  /** Per-client packet rate limit (the relay's default is 1000/s). */
  pps?: number;
  fecFlushMs?: number;
  /** Loopback address to bind (its data port and its upstream sockets). Default 127.0.0.1. */
  host?: string;
}

/** Starts a relay on 127.0.0.1 (any free ports), no auth, allowed to reach loopback game servers. */
export async function startLocalRelay(options: LocalRelayOptions = {}): Promise<Relay> {
  const config = resolveConfig({
    server: {
      node_id: options.nodeId ?? 'local',
      region: 'local',
      data_bind: `${options.host ?? '127.0.0.1'}:0`,
      control_bind: `${options.host ?? '127.0.0.1'}:0`,
      health_bind: `${options.host ?? '127.0.0.1'}:0`,
    },
    // Many engines share 127.0.0.1 in tests and benchmarks: lift the per-IP session cap (default 16).
    security: { require_auth: false, allow_destinations: ['127.0.0.0/8'], max_sessions_per_ip: 10_000 },
    rate_limit: { pps: options.pps ?? 5000, bps: 50_000_000 },
    fec: { flush_ms: options.fecFlushMs ?? 5 },
    log: { level: 'silent' },
  });
  return startRelay(config);
}
