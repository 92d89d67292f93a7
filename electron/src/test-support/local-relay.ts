/**
 * Our relay (`@lightspeed/proxy-server`) on loopback, as the engine's tests, the demo and the benchmark run
 * it: the relay package's one test fixture (`startTestRelay`) with the engine's usual settings.
 */
import { startTestRelay, type Relay } from '@lightspeed/proxy-server';

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
  const host = options.host ?? '127.0.0.1';
  return startTestRelay({
    server: {
      node_id: options.nodeId ?? 'local',
      region: 'local',
      data_bind: `${host}:0`,
      control_bind: `${host}:0`,
      health_bind: `${host}:0`,
    },
    // Many engines share 127.0.0.1 in tests and benchmarks: lift the per-IP session cap (default 16).
    security: { max_sessions_per_ip: 10_000 },
    rate_limit: { pps: options.pps ?? 5000, bps: 50_000_000 },
    fec: { flush_ms: options.fecFlushMs ?? 5 },
    control: { enabled: true },
  });
}
