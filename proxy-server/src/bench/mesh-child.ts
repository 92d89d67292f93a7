/**
 * Benchmark child: one mesh relay on loopback. argv[2] is JSON {node, meshPort, peers: [{node_id, addr, key}]};
 * sends {port: dataPort} over IPC once started, and waits until its parent disconnects.
 */
import { pino } from 'pino';

import { resolveConfig } from '../config/config.js';
import { startRelay } from '../relay/start-relay.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as {
  node: string;
  meshPort: number;
  peers: { node_id: string; addr: string; key: string }[];
};
const relay = await startRelay(
  resolveConfig({
    server: { node_id: spec.node, data_bind: '127.0.0.1:0', health_bind: '127.0.0.1:0' },
    control: { enabled: false },
    security: { require_auth: false, allow_destinations: ['127.0.0.0/8'] },
    rate_limit: { pps: 10_000_000, bps: 10_000_000_000 },
    log: { level: 'silent' },
    mesh: { bind: `127.0.0.1:${spec.meshPort}`, probe_interval_ms: 200, peers: spec.peers },
  }),
  { logger: pino({ level: 'silent' }) },
);
process.send!({ port: relay.dataPort });
process.on('disconnect', () => void relay.stop().then(() => process.exit(0)));
