import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';

import type { Relay } from '../relay/start-relay.js';
import { metric, startTestRelay } from '../testing/relay-fixture.js';
import { TunnelClient } from '../testing/tunnel-client.js';
import { startEchoServer } from '../testing/udp-echo-server.js';
import { VERSION } from '../version.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function relay(overrides: Parameters<typeof startTestRelay>[0] = {}): Promise<Relay> {
  const r = await startTestRelay(overrides);
  cleanup.push(() => r.stop());
  return r;
}

const url = (r: Relay, path: string): string => `http://127.0.0.1:${r.healthPort}${path}`;

describe('health server', () => {
  it('serves /health as JSON', async () => {
    const r = await relay({ server: { node_id: 'fra-1', region: 'eu' } });
    const res = await fetch(url(r, '/health'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      status: 'ok',
      node_id: 'fra-1',
      region: 'eu',
      version: VERSION,
      uptime_s: 0,
      sessions: 0,
    });
  });

  it('serves Prometheus metrics that follow the traffic, per relay', async () => {
    const echo = await startEchoServer();
    cleanup.push(() => echo.close());
    const a = await relay({ server: { node_id: 'a' } });
    const b = await relay({ server: { node_id: 'b' } }); // a second relay in the same process
    const client = await TunnelClient.open(a.dataPort);
    cleanup.push(() => client.close());
    await client.send(client.v1(Buffer.alloc(100), { dstPort: echo.port }));
    await client.waitFor((p) => p.header.flags === 0);
    await client.send(Buffer.alloc(5)); // malformed
    await TunnelClient.sleep(30);

    const text = await (await fetch(url(a, '/metrics'))).text();
    for (const name of [
      'lightspeed_relay_packets_total',
      'lightspeed_relay_bytes_total',
      'lightspeed_relay_dropped_packets_total',
      'lightspeed_relay_sessions',
      'lightspeed_relay_fec_recovered_total',
      'lightspeed_relay_fec_unrecoverable_total',
      'lightspeed_relay_keepalives_total',
      'lightspeed_relay_packet_processing_seconds_bucket',
    ]) {
      expect(text).toContain(name);
    }
    expect(await metric(a, 'lightspeed_relay_packets_total', { direction: 'client_in' })).toBe(2);
    expect(await metric(a, 'lightspeed_relay_packets_total', { direction: 'client_out' })).toBe(1);
    expect(await metric(a, 'lightspeed_relay_bytes_total', { direction: 'server_out' })).toBe(100);
    expect(await metric(a, 'lightspeed_relay_dropped_packets_total', { reason: 'malformed' })).toBe(1);
    expect(await metric(a, 'lightspeed_relay_sessions')).toBe(1);
    // Identity on one info series; every other series (and prom-client's standard process metrics) without it.
    expect(text).toMatch(/^lightspeed_relay_info\{node_id="a",region="test",version="[^"]+"\} 1$/m);
    expect(text.match(/node_id=/g)).toHaveLength(1);
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    expect(text).not.toContain('lightspeed_relay_process_');
    expect(await metric(b, 'lightspeed_relay_packets_total', { direction: 'client_in' })).toBe(0);
  });

  it('documents every series it exports (control plane included) in proxy-server/README.md', async () => {
    const r = await relay({
      control: { enabled: true, cert_dir: mkdtempSync(join(tmpdir(), 'ls-metrics-')) },
    });
    const text = await (await fetch(url(r, '/metrics'))).text();
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const names = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
    expect(names).toContain('lightspeed_control_events_total');
    for (const name of names) {
      if (/^(process|nodejs)_/.test(name)) continue; // prom-client's standard set, documented as a group
      expect(readme, name).toContain(`\`${name}`);
    }
  });

  it('accepts client telemetry up to 2048 bytes and rejects larger bodies with 413', async () => {
    const r = await relay();
    const post = (body: string): Promise<Response> =>
      fetch(url(r, '/telemetry'), { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect((await post(JSON.stringify({ p50_ms: 21, p99_ms: 40, fec_recovered: 3 }))).status).toBe(204);
    expect((await post(JSON.stringify({ pad: 'x'.repeat(3000) }))).status).toBe(413);
    expect((await post('{not json')).status).toBe(400);
    expect(await metric(r, 'lightspeed_relay_telemetry_reports_total')).toBe(1);
    expect(await metric(r, 'lightspeed_relay_telemetry_rejected_total')).toBe(2);
  });

  it('answers any telemetry body (random bytes, JSON, oversize) with 204, 400 or 413, counting each', async () => {
    const r = await relay();
    const bodies = fc.sample(
      fc.oneof(
        fc.uint8Array({ maxLength: 3000 }),
        fc.json().map((j) => Buffer.from(j)),
        fc.string({ maxLength: 2500 }).map((t) => Buffer.from(t)),
      ),
      { numRuns: 300, seed: 2026 },
    );
    let accepted = 0;
    for (const body of bodies) {
      const oversize = body.length > 2048;
      // The relay answers 413 and closes at once, so a client still uploading may see the reset instead.
      const res = await fetch(url(r, '/telemetry'), { method: 'POST', body }).catch((err: unknown) => {
        if (oversize) return null;
        throw err;
      });
      await res?.arrayBuffer();
      let json = true;
      try {
        JSON.parse(Buffer.from(body).toString('utf8'));
      } catch {
        json = false;
      }
      const expected = oversize ? 413 : json ? 204 : 400;
      if (res !== null) expect(res.status).toBe(expected);
      if (expected === 204) accepted++;
    }
    expect(accepted).toBeGreaterThan(50);
    expect(await metric(r, 'lightspeed_relay_telemetry_reports_total')).toBe(accepted);
    expect(await metric(r, 'lightspeed_relay_telemetry_rejected_total')).toBe(bodies.length - accepted);
    expect((await fetch(url(r, '/health'))).status).toBe(200);
  });

  it('answers unknown paths with 404 and wrong methods with 405', async () => {
    const r = await relay();
    expect((await fetch(url(r, '/nope'))).status).toBe(404);
    expect((await fetch(url(r, '/metrics'), { method: 'POST', body: '' })).status).toBe(405);
  });
});
