/**
 * Benchmark child: a relay started through the public API on loopback. IPC: sends {port} when started;
 * answers 'mem' with {heapUsed, rss, sessions} after a full GC (run with --expose-gc), and 'cpu' with its
 * process.cpuUsage() in µs.
 */
import { parseArgs } from 'node:util';

import { pino } from 'pino';

import { resolveConfig } from '../config/config.js';
import { startRelay } from '../relay/start-relay.js';

// --upstream-pool N and --timeout-s S: the cold-start A/B and the churn soak (flood-bench.ts).
const { values: args } = parseArgs({
  options: { 'upstream-pool': { type: 'string' }, 'timeout-s': { type: 'string' } },
});

const config = resolveConfig({
  server: {
    node_id: 'bench',
    data_bind: '127.0.0.1:0',
    health_bind: '127.0.0.1:0',
    control_bind: '127.0.0.1:0',
  },
  control: { enabled: false }, // the benchmark measures the data plane
  security: {
    require_auth: false,
    allow_destinations: ['127.0.0.0/8'],
    max_sessions: 100_000,
    max_sessions_per_ip: 100_000,
    session_rate_per_ip: 1_000_000, // every bench client is 127.0.0.1
  },
  // Limits far above the offered load: the capacity search measures forwarding, not the token buckets.
  rate_limit: { pps: 10_000_000, bps: 10_000_000_000 },
  log: { level: 'silent' },
  session: {
    ...(args['upstream-pool'] !== undefined && { upstream_pool: Number(args['upstream-pool']) }),
    ...(args['timeout-s'] !== undefined && { timeout_s: Number(args['timeout-s']) }),
  },
});

const relay = await startRelay(config, { logger: pino({ level: 'silent' }) });
const gc = (globalThis as { gc?: () => void }).gc;
process.on('message', (msg) => {
  if (msg === 'cpu') return void process.send!(process.cpuUsage());
  if (msg !== 'mem') return;
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  process.send!({
    heapUsed: m.heapUsed,
    arrayBuffers: m.arrayBuffers,
    rss: m.rss,
    sessions: relay.sessionCount(),
  });
});
process.send!({ port: relay.dataPort, healthPort: relay.healthPort });
process.on('disconnect', () => {
  void relay.stop().then(() => process.exit(0));
});
