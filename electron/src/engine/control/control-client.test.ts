import { createSocket, type Socket } from 'node:dgram';

import { QUICServer } from '@matrixai/quic';

import {
  ControlServer,
  generateSelfSigned,
  loadOrCreateIdentity,
  serverCrypto,
  silentQuicLogger,
  TokenAuthority,
  type ControlServerOptions,
} from '@lightspeed/proxy-server';
import { DisconnectReason, GameId } from '@lightspeed/shared';
import { afterEach, describe, expect, it } from 'vitest';

import { ControlClient, ControlError } from './control-client.js';
import { ControlSession } from './control-session.js';

const servers: ControlServer[] = [];
const closers: Array<() => Promise<unknown>> = [];

async function startServer(
  extra: Partial<ControlServerOptions> = {},
): Promise<{ server: ControlServer; authority: TokenAuthority }> {
  const authority = new TokenAuthority();
  const server = await ControlServer.start(
    {
      identity: await loadOrCreateIdentity({}),
      authority,
      nodeId: 'relay-x',
      region: 'eu-test',
      capacity: 10,
      ...extra,
    },
    { host: '127.0.0.1', port: 0 },
  );
  servers.push(server);
  return { server, authority };
}

afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c().catch(() => undefined)));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe('ControlClient', () => {
  it('registers with a game id, keeps the token, pings and reads ServerInfo, then disconnects gracefully', async () => {
    const { server, authority } = await startServer();
    const client = await ControlClient.connect({
      host: '127.0.0.1',
      port: server.port,
      certSha256: server.certSha256,
    });
    closers.push(() => client.close());
    const reg = await client.register(GameId.CS2);
    expect(reg).toMatchObject({ nodeId: 'relay-x', region: 'eu-test' });
    expect(client.token).toBe(reg.token);
    expect(authority.get(reg.sessionId)).toMatchObject({
      ip: '127.0.0.1',
      token: reg.token,
      gameId: GameId.CS2,
    });
    const pong = await client.ping();
    expect(pong.rttMs).toBeGreaterThan(0);
    expect(pong.serverTimestampUs).toBeGreaterThan(0n);
    await expect.poll(() => client.serverInfo).toEqual({ load: 10, activeSessions: 1, capacity: 10 });
    await client.close();
    expect(client.closed).toBe(true);
    expect(client.token).toBeNull();
    await expect.poll(() => authority.active).toBe(0);
    expect(server.stats().disconnectsReceived).toBe(1);
  });

  it('accepts a fingerprint with colons and uppercase, and refuses a certificate that does not match the pin', async () => {
    const { server } = await startServer();
    const pretty = server.certSha256.toUpperCase().match(/../g)!.join(':');
    const ok = await ControlClient.connect({ host: '127.0.0.1', port: server.port, certSha256: pretty });
    closers.push(() => ok.close());
    const wrong = 'ab'.repeat(32);
    const err = await ControlClient.connect({
      host: '127.0.0.1',
      port: server.port,
      certSha256: wrong,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ControlError);
    expect((err as ControlError).kind).toBe('certificate');
    expect((err as ControlError).message).toContain(wrong);
  });

  it('reports a registration refused for rate limiting with the deployed reason code', async () => {
    const { server } = await startServer({ rateLimit: { burst: 1, perMinute: 1 } });
    const first = await ControlClient.connect({ host: '127.0.0.1', port: server.port });
    closers.push(() => first.close());
    await first.register(GameId.FORTNITE);
    const second = await ControlClient.connect({ host: '127.0.0.1', port: server.port });
    closers.push(() => second.close());
    const err = await second.register(GameId.FORTNITE).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'refused', reason: DisconnectReason.RATE_LIMITED });
    expect((err as Error).message).toContain('rate limited');
    expect(second.token).toBeNull();
  });

  it('tells the session owner when the relay shuts down', async () => {
    const { server } = await startServer();
    const outcome = await ControlSession.open({ host: '127.0.0.1', port: server.port, gameId: GameId.RUST });
    if (outcome.mode !== 'registered') throw new Error(outcome.message);
    const session = outcome.session;
    closers.push(() => session.close());
    expect(session.token).toBe(session.registration.token);
    expect(session.rttMs).not.toBeNull();
    const lost = new Promise<string>((resolve) => session.onLost(resolve));
    await server.stop();
    expect(await lost).toBe('relay ended the session: server shutdown');
    expect(session.token).toBeNull();
  });
});

describe('ControlSession against a relay with no control plane', () => {
  let silent: Socket | null = null;
  afterEach(() => {
    silent?.close();
    silent = null;
  });

  it('reports token-less mode clearly when nothing speaks QUIC on the control port', async () => {
    silent = createSocket('udp4');
    silent.on('message', () => undefined); // a deployed relay without QUIC: packets vanish
    await new Promise<void>((resolve) => silent!.bind(0, '127.0.0.1', resolve));
    const port = silent.address().port;
    const outcome = await ControlSession.open({
      host: '127.0.0.1',
      port,
      gameId: GameId.CS2,
      connectTimeoutMs: 400,
    });
    expect(outcome.mode).toBe('token-less');
    if (outcome.mode !== 'token-less') return;
    expect(outcome.message).toContain(`127.0.0.1:${port}`);
    expect(outcome.message).toMatch(/no QUIC control plane/);
    expect(outcome.message).toMatch(/without a session token/);
  });

  it('uses a relay whose QUIC refuses our ALPN (as deployed no-ALPN relays do) token-less, saying why', async () => {
    // rustls without ALPN closes with no_application_protocol (0x178) when a client offers one; a quiche
    // server that only speaks another ALPN closes with the same code.
    const { certPem, keyPem } = generateSelfSigned();
    const other = new QUICServer({
      crypto: serverCrypto(),
      config: { key: keyPem, cert: certPem, verifyPeer: false, applicationProtos: ['not-lightspeed'] },
      logger: silentQuicLogger(),
    });
    await other.start({ host: '127.0.0.1', port: 0 });
    closers.push(() => other.stop({ force: true }));
    const outcome = await ControlSession.open({
      host: '127.0.0.1',
      port: other.port,
      gameId: GameId.CS2,
      connectTimeoutMs: 2000,
    });
    expect(outcome.mode).toBe('token-less');
    if (outcome.mode !== 'token-less') return;
    expect(outcome.message).toContain(`127.0.0.1:${other.port}`);
    expect(outcome.message).toMatch(/refused our ALPN "lightspeed" \(QUIC error 0x178\)/);
    expect(outcome.message).toMatch(/without a session token/);
  });
});
