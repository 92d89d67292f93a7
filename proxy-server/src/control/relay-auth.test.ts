/**
 * The "done when", relay side: with require_auth = true a relay relays nothing for a sender that
 * never registered (whatever token byte it tries) and everything for a client that registered through the
 * QUIC control plane; the token is bound to the registering source IP and dies with the control session.
 */
import { DisconnectReason, type ControlMessage } from '@lightspeed/shared';
import { afterEach, describe, expect, it } from 'vitest';

import { drops, metric, startTestRelay } from '../testing/relay-fixture.js';
import { TunnelClient } from '../testing/tunnel-client.js';
import { startEchoServer, type EchoServer } from '../testing/udp-echo-server.js';
import type { Relay } from '../relay/start-relay.js';
import { connectRawControl, type RawControlClient } from './raw-control-client.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => undefined);
});

async function setup(): Promise<{ relay: Relay; echo: EchoServer }> {
  const echo = await startEchoServer(0);
  cleanup.push(() => echo.close());
  const relay = await startTestRelay({
    server: { control_bind: '127.0.0.1:0' },
    security: { require_auth: true },
    control: { enabled: true },
  });
  cleanup.push(() => relay.stop());
  return { relay, echo };
}

async function tunnel(relay: Relay, bindHost = '127.0.0.1'): Promise<TunnelClient> {
  const c = await TunnelClient.open(relay.dataPort, '127.0.0.1', bindHost);
  cleanup.push(() => c.close());
  return c;
}

async function register(
  relay: Relay,
  localHost = '127.0.0.1',
): Promise<{ control: RawControlClient; token: number }> {
  const control = await connectRawControl({
    host: '127.0.0.1',
    port: relay.controlPort!,
    localHost,
    certSha256: relay.certSha256!,
  });
  cleanup.push(() => control.close());
  await control.send({ type: 'register', protocolVersion: 1, gameId: 2 });
  const ack = await control.next((m: ControlMessage) => m.type === 'register-ack');
  if (ack.type !== 'register-ack') throw new Error('no RegisterAck');
  return { control, token: ack.token };
}

const payload = Buffer.alloc(64, 0x5a);
const isData = (p: { header: { flags: number } }): boolean => p.header.flags === 0;

describe('require_auth = true with the QUIC control plane', () => {
  it('relays nothing for a sender that never registered, whatever token byte it tries', async () => {
    const { relay, echo } = await setup();
    const stranger = await tunnel(relay);
    for (let token = 0; token < 256; token++)
      await stranger.send(stranger.v1(payload, { token, dstPort: echo.port }));
    await TunnelClient.sleep(150);
    expect(echo.received()).toBe(0);
    expect(stranger.packets.filter(isData)).toHaveLength(0);
    expect(relay.sessionCount()).toBe(0);
    expect(await drops(relay, 'unauthenticated')).toBe(256);
  });

  it('relays everything for a registered client, and nothing for other addresses, tokens or after disconnect', async () => {
    const { relay, echo } = await setup();
    const { control, token } = await register(relay);

    const player = await tunnel(relay);
    for (let i = 0; i < 20; i++) await player.send(player.v1(payload, { token, dstPort: echo.port }));
    await player.waitFor(isData, 20);
    expect(echo.received()).toBe(20);

    // The same token from another source address: every byte value refused.
    const thief = await tunnel(relay, '127.0.0.2');
    for (let t = 0; t < 256; t++) await thief.send(thief.v1(payload, { token: t, dstPort: echo.port }));
    // A wrong token from the registered address (a fresh socket, so a new session).
    const sibling = await tunnel(relay);
    await sibling.send(sibling.v1(payload, { token: token === 255 ? 1 : token + 1, dstPort: echo.port }));
    await sibling.send(sibling.v1(payload, { token: 0, dstPort: echo.port }));
    await TunnelClient.sleep(150);
    expect(echo.received()).toBe(20);
    expect(thief.packets.filter(isData)).toHaveLength(0);
    expect(await drops(relay, 'unauthenticated')).toBe(258);
    expect(await metric(relay, 'lightspeed_control_events_total', { event: 'registration' })).toBe(1);
    expect(await metric(relay, 'lightspeed_control_active_tokens')).toBe(1);

    // The token dies with its control session.
    await control.send({ type: 'disconnect', reason: DisconnectReason.NORMAL });
    await expect
      .poll(async () => {
        await player.send(player.v1(payload, { token, dstPort: echo.port }));
        return drops(relay, 'unauthenticated');
      })
      .toBeGreaterThan(258);
    const relayed = echo.received();
    await player.send(player.v1(payload, { token, dstPort: echo.port }));
    await TunnelClient.sleep(100);
    expect(echo.received()).toBe(relayed);
  });

  it('shows the certificate fingerprint and control port in /health and serves /peers', async () => {
    const echo = await startEchoServer(0);
    cleanup.push(() => echo.close());
    const relay = await startTestRelay({
      server: { control_bind: '127.0.0.1:0', node_id: 'peer-a', region: 'lab' },
      control: { enabled: true, peers: ['192.0.2.8:4434', 'relay-b.example'] },
    });
    cleanup.push(() => relay.stop());
    const health = (await (await fetch(`http://127.0.0.1:${relay.healthPort}/health`)).json()) as Record<
      string,
      unknown
    >;
    expect(health).toMatchObject({ control_port: relay.controlPort, cert_sha256: relay.certSha256 });
    expect(relay.certSha256).toMatch(/^[0-9a-f]{64}$/);
    const peers: unknown = await (await fetch(`http://127.0.0.1:${relay.healthPort}/peers`)).json();
    expect(peers).toEqual({
      node_id: 'peer-a',
      region: 'lab',
      peers: [{ host: '192.0.2.8', data_port: 4434 }, { host: 'relay-b.example' }],
    });
  });

  it('runs without a control plane when control.enabled = false', async () => {
    const relay = await startTestRelay({ control: { enabled: false } });
    cleanup.push(() => relay.stop());
    expect(relay.controlPort).toBeNull();
    const health = (await (await fetch(`http://127.0.0.1:${relay.healthPort}/health`)).json()) as Record<
      string,
      unknown
    >;
    expect(health.cert_sha256).toBeUndefined();
  });
});
