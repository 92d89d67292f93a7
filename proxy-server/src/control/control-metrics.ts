/**
 * Control-plane series on the relay's Prometheus registry, read from the server's plain counters at scrape
 * time (the same pattern as the data-plane metrics).
 */
import { Counter, Gauge, type Registry } from 'prom-client';

import type { ControlServer } from './control-server.js';
import type { TokenAuthority } from './token-authority.js';

const REASONS: Record<number, string> = {
  0: 'normal',
  1: 'timeout',
  2: 'server_shutdown',
  3: 'rate_limited',
  4: 'auth_failed',
};

/** Registers lightspeed_control_* metrics for `server` and its token table on `registry`. */
export function registerControlMetrics(
  registry: Registry,
  server: ControlServer,
  authority: TokenAuthority,
): void {
  const connections = new Gauge({
    name: 'lightspeed_control_connections',
    help: 'Open QUIC control connections.',
    registers: [registry],
    collect() {
      connections.set(server.stats().connectionsActive);
    },
  });
  const tokens = new Gauge({
    name: 'lightspeed_control_active_tokens',
    help: 'Live registrations (source IP, token) the data plane accepts.',
    registers: [registry],
    collect() {
      tokens.set(authority.active);
    },
  });
  const events = new Counter({
    name: 'lightspeed_control_events_total',
    help: 'Control-plane events: connections accepted/refused, registrations, pings, client disconnects, unexpected messages.',
    labelNames: ['event'],
    registers: [registry],
    collect() {
      const s = server.stats();
      events.reset();
      events.inc({ event: 'connection_accepted' }, s.connectionsAccepted);
      events.inc({ event: 'connection_refused' }, s.connectionsRefused);
      events.inc({ event: 'registration' }, s.registrations);
      events.inc({ event: 'ping' }, s.pings);
      events.inc({ event: 'client_disconnect' }, s.disconnectsReceived);
      events.inc({ event: 'unexpected_message' }, s.unexpected);
    },
  });
  const disconnects = new Counter({
    name: 'lightspeed_control_disconnects_sent_total',
    help: 'Disconnect messages sent by the relay, by deployed reason.',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      const sent = server.stats().disconnectsSent;
      disconnects.reset();
      for (const [code, name] of Object.entries(REASONS))
        disconnects.inc({ reason: name }, sent[Number(code)] ?? 0);
    },
  });
  const malformed = new Counter({
    name: 'lightspeed_control_malformed_total',
    help: 'Control streams reset for malformed frames, by error.',
    labelNames: ['error'],
    registers: [registry],
    collect() {
      malformed.reset();
      for (const [error, n] of Object.entries(server.stats().malformed)) malformed.inc({ error }, n);
    },
  });
}
