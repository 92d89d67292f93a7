import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ControlType, DisconnectReason, type ControlMessage } from '@lightspeed/shared';
import { afterEach, describe, expect, it } from 'vitest';

import { loadOrCreateIdentity, type ControlIdentity } from './certificate.js';
import { ControlServer, ControlStreamError, type ControlServerOptions } from './control-server.js';
import { connectRawControl, type RawControlClient } from './raw-control-client.js';
import { TokenAuthority } from './token-authority.js';

let identity: ControlIdentity | undefined;
const servers: ControlServer[] = [];
const clients: RawControlClient[] = [];

async function startServer(extra: Partial<ControlServerOptions> = {}): Promise<{
  server: ControlServer;
  authority: TokenAuthority;
}> {
  identity ??= await loadOrCreateIdentity({});
  const authority = extra.authority ?? new TokenAuthority();
  const server = await ControlServer.start(
    { identity, authority, nodeId: 'node-a', region: 'test-1', capacity: 50, ...extra },
    { host: '127.0.0.1', port: 0 },
  );
  servers.push(server);
  return { server, authority };
}

async function connect(server: ControlServer, localHost = '127.0.0.1'): Promise<RawControlClient> {
  const c = await connectRawControl({
    host: '127.0.0.1',
    port: server.port,
    localHost,
    certSha256: server.certSha256,
  });
  clients.push(c);
  return c;
}

const isType = (t: ControlMessage['type']) => (m: ControlMessage) => m.type === t;

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe('ControlServer', () => {
  it('answers Register with RegisterAck bound to the source IP, then ServerInfo', async () => {
    const { server, authority } = await startServer();
    const c = await connect(server);
    await c.send({ type: 'register', protocolVersion: 1, gameId: 2 });
    const ack = await c.next(isType('register-ack'));
    const info = await c.next(isType('server-info'));
    if (ack.type !== 'register-ack' || info.type !== 'server-info') throw new Error('wrong types');
    expect(ack.nodeId).toBe('node-a');
    expect(ack.region).toBe('test-1');
    expect(ack.token).toBeGreaterThanOrEqual(1);
    expect(authority.authorize('127.0.0.1', ack.token)).toBe(true);
    expect(authority.authorize('127.0.0.2', ack.token)).toBe(false);
    expect(authority.get(ack.sessionId)?.gameId).toBe(2);
    expect(info).toMatchObject({ activeSessions: 1, capacity: 50, load: 2 });
    expect(server.stats().registrations).toBe(1);
  });

  it('answers Ping with Pong carrying the client timestamp and a server timestamp in µs', async () => {
    const { server } = await startServer();
    const c = await connect(server);
    const before = BigInt(Date.now()) * 1000n;
    await c.send({ type: 'ping', timestampUs: 123_456_789n });
    const pong = await c.next(isType('pong'));
    if (pong.type !== 'pong') throw new Error('not a pong');
    expect(pong.clientTimestampUs).toBe(123_456_789n);
    expect(pong.serverTimestampUs).toBeGreaterThanOrEqual(before);
    expect(await c.next(isType('server-info'))).toMatchObject({ type: 'server-info' });
  });

  it('revokes the token when the client sends Disconnect or its connection closes', async () => {
    const { server, authority } = await startServer();
    const a = await connect(server);
    await a.send({ type: 'register', protocolVersion: 1, gameId: 1 });
    const ackA = await a.next(isType('register-ack'));
    const b = await connect(server);
    await b.send({ type: 'register', protocolVersion: 1, gameId: 1 });
    const ackB = await b.next(isType('register-ack'));
    if (ackA.type !== 'register-ack' || ackB.type !== 'register-ack') throw new Error('wrong types');
    expect(authority.active).toBe(2);
    await a.send({ type: 'disconnect', reason: DisconnectReason.NORMAL });
    await expect.poll(() => authority.get(ackA.sessionId)).toBeUndefined();
    await b.close();
    await expect.poll(() => authority.active).toBe(0);
    expect(server.stats().disconnectsReceived).toBe(1);
  });

  it('sends Disconnect(rate limited) once an IP exceeds its registration burst', async () => {
    const { server, authority } = await startServer({ rateLimit: { burst: 2, perMinute: 1 } });
    for (let i = 0; i < 2; i++) {
      const c = await connect(server);
      await c.send({ type: 'register', protocolVersion: 1, gameId: 1 });
      await c.next(isType('register-ack'));
    }
    const third = await connect(server);
    await third.send({ type: 'register', protocolVersion: 1, gameId: 1 });
    expect(await third.next(isType('disconnect'))).toEqual({
      type: 'disconnect',
      reason: DisconnectReason.RATE_LIMITED,
    });
    expect((await third.ended).closeCode).toBe(DisconnectReason.RATE_LIMITED);
    expect(authority.active).toBe(2);
    // Another source address has its own bucket.
    const other = await connect(server, '127.0.0.2');
    await other.send({ type: 'register', protocolVersion: 1, gameId: 1 });
    expect(await other.next(isType('register-ack'))).toMatchObject({ type: 'register-ack' });
    expect(server.stats().disconnectsSent[DisconnectReason.RATE_LIMITED]).toBe(1);
  });

  it('closes connections past the per-IP cap with the rate-limited code, counting them', async () => {
    const { server } = await startServer({ maxConnectionsPerIp: 2 });
    await connect(server);
    await connect(server);
    const third = await connect(server).catch(() => null);
    if (third) expect((await third.ended).closeCode).toBe(DisconnectReason.RATE_LIMITED);
    expect(server.stats().connectionsRefused).toBe(1);
    const elsewhere = await connect(server, '127.0.0.2');
    await elsewhere.send({ type: 'ping', timestampUs: 1n });
    expect(await elsewhere.next(isType('pong'))).toMatchObject({ type: 'pong' });
  });

  it('sends Disconnect(auth failed) for an unsupported protocol version', async () => {
    const { server, authority } = await startServer();
    const c = await connect(server);
    await c.send({ type: 'register', protocolVersion: 9, gameId: 1 });
    expect(await c.next(isType('disconnect'))).toEqual({
      type: 'disconnect',
      reason: DisconnectReason.AUTH_FAILED,
    });
    expect(authority.active).toBe(0);
  });

  it('sends Disconnect(timeout) to a silent client and Disconnect(server shutdown) on stop', async () => {
    const { server, authority } = await startServer({ idleTimeoutMs: 300 });
    const idle = await connect(server);
    await idle.send({ type: 'register', protocolVersion: 1, gameId: 1 });
    await idle.next(isType('register-ack'));
    expect(await idle.next(isType('disconnect'), 3000)).toEqual({
      type: 'disconnect',
      reason: DisconnectReason.TIMEOUT,
    });
    await expect.poll(() => authority.active).toBe(0);

    const live = await connect(server);
    await live.send({ type: 'register', protocolVersion: 1, gameId: 1 });
    await live.next(isType('register-ack'));
    await server.stop();
    expect(await live.next(isType('disconnect'))).toEqual({
      type: 'disconnect',
      reason: DisconnectReason.SERVER_SHUTDOWN,
    });
    expect(authority.active).toBe(0);
  });

  it('keeps the registration when a data session ends, and sends Disconnect(auth failed) when it is revoked', async () => {
    const { server, authority } = await startServer();
    const c = await connect(server);
    await c.send({ type: 'register', protocolVersion: 1, gameId: 1 });
    const ack = await c.next(isType('register-ack'));
    if (ack.type !== 'register-ack') throw new Error('no ack');
    authority.sessionEnded('127.0.0.1', ack.token);
    await c.send({ type: 'ping', timestampUs: 5n });
    await c.next(isType('pong'));
    expect(authority.authorize('127.0.0.1', ack.token)).toBe(true);
    authority.revoke(ack.sessionId);
    expect(await c.next(isType('disconnect'))).toEqual({
      type: 'disconnect',
      reason: DisconnectReason.AUTH_FAILED,
    });
    expect(authority.authorize('127.0.0.1', ack.token)).toBe(false);
  });

  it('resets the stream with a typed code on an unknown type, counts it and keeps serving', async () => {
    const { server } = await startServer();
    const bad = await connect(server);
    await bad.write(Uint8Array.of(0, 1, 0x7f));
    expect((await bad.ended).streamResetCode).toBe(ControlStreamError['unknown-type']);
    const oversize = await connect(server);
    await oversize.write(Uint8Array.of(0xff, 0xff, ControlType.PING));
    expect((await oversize.ended).streamResetCode).toBe(ControlStreamError.oversize);
    expect(server.stats().malformed).toMatchObject({ 'unknown-type': 1, oversize: 1 });
    const good = await connect(server);
    await good.send({ type: 'ping', timestampUs: 1n });
    expect(await good.next(isType('pong'))).toMatchObject({ type: 'pong' });
  });
});

describe('loadOrCreateIdentity', () => {
  it('generates a certificate once and keeps it in the directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ls-cert-'));
    try {
      const first = await loadOrCreateIdentity({ dir });
      const second = await loadOrCreateIdentity({ dir });
      expect(first.source).toBe('generated');
      expect(second.source).toBe('stored');
      expect(second.sha256).toBe(first.sha256);
      expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
      const configured = await loadOrCreateIdentity({
        certPath: join(dir, 'control-cert.pem'),
        keyPath: join(dir, 'control-key.pem'),
        dir: join(dir, 'unused'),
      });
      expect(configured).toMatchObject({ source: 'configured', sha256: first.sha256 });
      await expect(
        loadOrCreateIdentity({ certPath: join(dir, 'missing.pem'), keyPath: join(dir, 'k') }),
      ).rejects.toThrow(/missing\.pem/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
