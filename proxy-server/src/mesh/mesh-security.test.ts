/**
 * Hostile inter-relay traffic at a real mesh relay: tampered, replayed, wrong-key, unknown-sender and garbage
 * datagrams are dropped and counted and never answered; a genuine peer's PING is answered (to the address
 * in the relay's own config, not the packet's source), so the silence is not a broken socket.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

import { MeshKind, encodeMeshClientFrame, parseIpv4 } from '@lightspeed/shared';
import { EchoServer } from '@lightspeed/shared/node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MeshSealer, ReplayWindow, directionKey, openFrame, randomPrefix } from './mesh-crypto.js';
import { MsgType, decodeMessage, encodeMessage } from './mesh-frame.js';
import { ConfigError, resolveConfig } from '../config/config.js';
import { startRelay, type Relay } from '../relay/start-relay.js';
import { freeUdpPorts, waitFor } from '../testing/mesh-lab.js';
import { metric } from '../testing/relay-fixture.js';

const bind = (): Promise<Socket> =>
  new Promise((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => resolve(s));
  });

describe('mesh packet security', () => {
  const psk = randomBytes(32);
  let relay: Relay;
  let peerSocket: Socket; // where the relay sends to "t" (its config)
  let attacker: Socket; // where forged packets come from
  const atPeer: Buffer[] = [];
  const atAttacker: Buffer[] = [];

  beforeAll(async () => {
    peerSocket = await bind();
    attacker = await bind();
    peerSocket.on('message', (m) => atPeer.push(m));
    attacker.on('message', (m) => atAttacker.push(m));
    const [meshPort] = await freeUdpPorts(1);
    relay = await startRelay(
      resolveConfig({
        server: { node_id: 'r', data_bind: '127.0.0.1:0', health_bind: '127.0.0.1:0' },
        security: { require_auth: false, allow_destinations: ['127.0.0.0/8'] },
        log: { level: 'silent' },
        control: { enabled: false },
        // A long probe interval: the relay's own PINGs to "t" do not mix into this test.
        mesh: {
          bind: `127.0.0.1:${meshPort!}`,
          probe_interval_ms: 60_000,
          peers: [
            { node_id: 't', addr: `127.0.0.1:${peerSocket.address().port}`, key: psk.toString('base64') },
          ],
        },
      }),
      { logger: pino({ level: 'silent' }) },
    );
  });
  afterAll(async () => {
    await relay?.stop();
    peerSocket?.close();
    attacker?.close();
  });

  const drops = (reason: string): Promise<number> =>
    metric(relay, 'lightspeed_mesh_dropped_packets_total', { reason });

  it('drops and counts tampered, replayed, wrong-key and unknown-sender packets, and answers none', async () => {
    const port = relay.meshPort!;
    const send = (b: Uint8Array): void => attacker.send(b, port, '127.0.0.1');
    const good = new MeshSealer(directionKey(psk, 't', 'r'), 't', Date.now(), randomPrefix());
    const ping = (seq: number): Uint8Array => encodeMessage({ type: MsgType.PING, seq, time: 1 });
    await waitFor(() => atPeer.length >= 1, 2000); // the relay's first PING to t
    const baseline = atPeer.length;

    // 1. A genuine PING from t (sent from another address): answered, to t's configured address.
    const genuine = good.seal(ping(1));
    send(genuine);
    expect(await waitFor(() => atPeer.length === baseline + 1, 2000)).toBe(true);

    // 2. The same frame again: a replay.
    send(genuine);
    // 3. Tampered: one ciphertext bit flipped.
    const tampered = Buffer.from(good.seal(ping(2)));
    tampered[tampered.length - 20]! ^= 0x01;
    send(tampered);
    // 4. The wrong key (t's id, someone else's key).
    send(
      new MeshSealer(directionKey(randomBytes(32), 't', 'r'), 't', Date.now(), randomPrefix()).seal(ping(3)),
    );
    // 5. The reverse-direction key (a frame r itself would send): a reflection.
    send(new MeshSealer(directionKey(psk, 'r', 't'), 't', Date.now(), randomPrefix()).seal(ping(4)));
    // 6. An unknown sender id.
    send(new MeshSealer(directionKey(psk, 'x', 'r'), 'x', Date.now(), randomPrefix()).seal(ping(5)));
    // 7. Garbage, and an older epoch of t (a replay from a previous run).
    send(randomBytes(100));
    send(new MeshSealer(directionKey(psk, 't', 'r'), 't', 1000, randomPrefix()).seal(ping(6)));

    expect(await waitFor(() => relay.mesh!.stats.meshInPackets >= 8, 2000)).toBe(true);
    expect(await drops('replay')).toBe(2);
    expect(await drops('auth_failed')).toBe(3);
    expect(await drops('unknown_peer')).toBe(1);
    expect(await drops('malformed')).toBe(1);
    // A last genuine PING is answered: the socket works, so the silence above is the relay refusing.
    send(good.seal(ping(7)));
    expect(await waitFor(() => atPeer.length === baseline + 2, 2000)).toBe(true);
    const last = atPeer[atPeer.length - 1]!;
    expect(last[0]).toBe(0xa1);
    expect(atAttacker).toHaveLength(0);
    // The PONG opens with the r→t key and echoes the PING.
    const opened = openFrame(
      last,
      () => directionKey(psk, 'r', 't'),
      () => new ReplayWindow(),
    );
    expect(opened.ok && decodeMessage(opened.plaintext)).toEqual({ type: MsgType.PONG, seq: 7, time: 1 });
  });

  it('a relay without [mesh] drops a mesh-client frame as malformed, silently', async () => {
    const plain = await startRelay(
      resolveConfig({
        server: { data_bind: '127.0.0.1:0', health_bind: '127.0.0.1:0' },
        log: { level: 'silent' },
        control: { enabled: false },
      }),
      { logger: pino({ level: 'silent' }) },
    );
    try {
      const frame = Buffer.alloc(40);
      frame[0] = 0x40;
      attacker.send(frame, plain.dataPort, '127.0.0.1');
      expect(
        await waitFor(() => false, 200).then(() =>
          metric(plain, 'lightspeed_relay_dropped_packets_total', { reason: 'malformed' }),
        ),
      ).toBe(1);
      expect(atAttacker).toHaveLength(0);
      expect(plain.meshPort).toBeNull();
    } finally {
      await plain.stop();
    }
  });
});

describe('mesh config', () => {
  const peer = { node_id: 'b', addr: '10.0.0.2:5000', key: randomBytes(32).toString('base64') };
  const problem = (input: unknown): string => {
    try {
      resolveConfig(input);
    } catch (err) {
      if (err instanceof ConfigError) return `${err.path}: ${err.problem}`;
      throw err;
    }
    return 'ok';
  };

  it('names the bad key', () => {
    expect(problem({ mesh: { bind: '127.0.0.1:5000', peers: [{ ...peer, key: 'c2hvcnQ=' }] } })).toMatch(
      /^mesh\.peers\[0\]\.key: expected base64 of 32 bytes/,
    );
    expect(problem({ mesh: { bind: 'nowhere', peers: [] } })).toMatch(/^mesh\.bind: /);
    expect(problem({ mesh: { peers: [peer] }, server: { health_bind: '127.0.0.1:8080' } })).toMatch(
      /^mesh\.bind: required/,
    );
    expect(problem({ mesh: { bind: '127.0.0.1:1', peers: [peer, peer] } })).toMatch(
      /^mesh\.peers\[1\]\.node_id: duplicate/,
    );
    expect(
      problem({
        mesh: { bind: '127.0.0.1:1', peers: [{ ...peer, node_id: 'me' }] },
        server: { node_id: 'me' },
      }),
    ).toMatch(/^mesh\.peers\[0\]\.node_id: is this node itself/);
    expect(problem({ mesh: { bind: '127.0.0.1:1', peers: [{ ...peer, addr: '10.0.0.2:0' }] } })).toMatch(
      /^mesh\.peers\[0\]\.addr: needs a port/,
    );
    expect(problem({ mesh: { bind: '127.0.0.1:1', probe_interval_ms: 5 } })).toMatch(
      /^mesh\.probe_interval_ms: /,
    );
  });

  it('/status on a non-loopback health bind needs [admin] token', () => {
    const mesh = { bind: '0.0.0.0:5000', peers: [peer] };
    expect(problem({ mesh, server: { health_bind: '0.0.0.0:8080' } })).toMatch(/^admin\.token: required/);
    expect(problem({ mesh, server: { health_bind: '0.0.0.0:8080' }, admin: { token: 'x'.repeat(32) } })).toBe(
      'ok',
    );
    expect(problem({ mesh, server: { health_bind: '127.0.0.1:8080' } })).toBe('ok');
    expect(problem({ mesh, server: { health_bind: '0.0.0.0:8080' }, admin: { status: false } })).toBe('ok');
    expect(problem({ server: { health_bind: '0.0.0.0:8080' }, admin: { status: true } })).toMatch(
      /^admin\.token/,
    );
    // No mesh, no /status: an existing config starts exactly as before.
    expect(problem({ server: { health_bind: '0.0.0.0:8080' } })).toBe('ok');
  });
});

describe('a mesh relay is never an open relay', () => {
  it('the exit applies its own destination policy to DATA from a genuine peer', async () => {
    const psk = randomBytes(32);
    const echo = await EchoServer.start();
    const [meshPort] = await freeUdpPorts(1);
    // No allow_destinations: loopback (the echo server) is refused, whatever the entry decided.
    const exit = await startRelay(
      resolveConfig({
        server: { node_id: 'x', data_bind: '127.0.0.1:0', health_bind: '127.0.0.1:0' },
        security: { require_auth: false },
        log: { level: 'silent' },
        control: { enabled: false },
        mesh: {
          bind: `127.0.0.1:${meshPort!}`,
          probe_interval_ms: 60_000,
          peers: [{ node_id: 't', addr: '127.0.0.1:9', key: psk.toString('base64') }],
        },
      }),
      { logger: pino({ level: 'silent' }) },
    );
    const s = await bind();
    try {
      const sealer = new MeshSealer(directionKey(psk, 't', 'x'), 't', Date.now(), randomPrefix());
      const sessionId = new Uint8Array(randomBytes(8));
      const data = (seq: number): Uint8Array =>
        encodeMessage({
          type: MsgType.DATA,
          sessionId,
          ttl: 16,
          seq,
          ip: parseIpv4('127.0.0.1')!,
          port: echo.port,
          entry: 't',
          exit: 'x',
          payload: Uint8Array.of(1, 2, 3),
        });
      for (let i = 0; i < 3; i++) s.send(sealer.seal(data(i)), exit.meshPort!, '127.0.0.1');
      expect(await waitFor(() => exit.mesh!.stats.meshInPackets >= 3, 2000)).toBe(true);
      expect(
        await metric(exit, 'lightspeed_mesh_dropped_packets_total', { reason: 'destination_refused' }),
      ).toBe(3);
      expect(echo.packets).toBe(0);
      expect(exit.mesh!.flows().exit).toBe(0); // no socket was opened for it
    } finally {
      s.close();
      await exit.stop();
      await echo.stop();
    }
  });

  it('an EXITS answer is never larger than the question, and names no refused destination', async () => {
    const [meshPort] = await freeUdpPorts(1);
    const entry = await startRelay(
      resolveConfig({
        server: { node_id: 'e', region: 'eu-west', data_bind: '127.0.0.1:0', health_bind: '127.0.0.1:0' },
        security: { require_auth: false, allow_destinations: ['127.0.0.0/8'] },
        log: { level: 'silent' },
        control: { enabled: false },
        mesh: { bind: `127.0.0.1:${meshPort!}`, probe_interval_ms: 60_000 },
      }),
      { logger: pino({ level: 'silent' }) },
    );
    const s = await bind();
    const answers: Buffer[] = [];
    s.on('message', (m) => answers.push(m));
    try {
      const ask = (ip: string, padding: number): void => {
        const frame = encodeMeshClientFrame({
          kind: MeshKind.EXITS,
          tokenOrStatus: 0,
          seq: 1,
          sessionId: new Uint8Array(8),
          ip: parseIpv4(ip)!,
          port: 7777,
          exit: '',
          payload: new Uint8Array(padding),
        });
        s.send(frame, entry.dataPort, '127.0.0.1');
      };
      ask('127.0.0.1', 0); // no room: no answer
      ask('127.0.0.1', 4); // room for the count only
      ask('127.0.0.1', 100);
      ask('10.1.2.3', 100); // refused by the destination policy: no answer
      expect(await waitFor(() => answers.length >= 2, 2000)).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
      // 19-byte header ‖ count ‖ (L ‖ "e" ‖ cost ‖ leg ‖ R ‖ "eu-west" ‖ H = 0)
      expect(answers.map((a) => a.length).sort((a, b) => a - b)).toEqual([
        20,
        19 + 1 + 1 + 1 + 8 + 1 + 7 + 1,
      ]);
      expect(
        await metric(entry, 'lightspeed_mesh_dropped_packets_total', { reason: 'destination_refused' }),
      ).toBe(1);
    } finally {
      s.close();
      await entry.stop();
    }
  });

  it('an entry caps mesh sessions per client IP (security.max_sessions_per_ip)', async () => {
    const echo = await EchoServer.start();
    const [meshPort] = await freeUdpPorts(1);
    const entry = await startRelay(
      resolveConfig({
        server: { node_id: 'e', data_bind: '127.0.0.1:0', health_bind: '127.0.0.1:0' },
        security: { require_auth: false, allow_destinations: ['127.0.0.0/8'], max_sessions_per_ip: 2 },
        log: { level: 'silent' },
        control: { enabled: false },
        mesh: { bind: `127.0.0.1:${meshPort!}`, probe_interval_ms: 60_000 },
      }),
      { logger: pino({ level: 'silent' }) },
    );
    const s = await bind();
    try {
      for (let i = 0; i < 3; i++) {
        const frame = encodeMeshClientFrame({
          kind: MeshKind.DATA,
          tokenOrStatus: 0,
          seq: 0,
          sessionId: Uint8Array.of(i, 1, 2, 3, 4, 5, 6, 7),
          ip: parseIpv4('127.0.0.1')!,
          port: echo.port,
          exit: 'e', // the entry is its own exit
          payload: Uint8Array.of(i),
        });
        s.send(frame, entry.dataPort, '127.0.0.1');
      }
      expect(await waitFor(() => echo.packets === 2, 2000)).toBe(true);
      expect(await metric(entry, 'lightspeed_mesh_dropped_packets_total', { reason: 'sessions_full' })).toBe(
        1,
      );
      expect(entry.mesh!.flows().entry).toBe(2);
    } finally {
      s.close();
      await entry.stop();
      await echo.stop();
    }
  });

  it('with require_auth, an entry drops a mesh client without a valid token', async () => {
    const [meshPort] = await freeUdpPorts(1);
    const entry = await startRelay(
      resolveConfig({
        server: { node_id: 'e', data_bind: '127.0.0.1:0', health_bind: '127.0.0.1:0' },
        security: { require_auth: true, allow_destinations: ['127.0.0.0/8'] },
        log: { level: 'silent' },
        control: { enabled: false },
        mesh: { bind: `127.0.0.1:${meshPort!}`, probe_interval_ms: 60_000 },
      }),
      {
        logger: pino({ level: 'silent' }),
        authority: { authorize: () => false, sessionEnded: () => undefined },
      },
    );
    const s = await bind();
    const answers: Buffer[] = [];
    s.on('message', (m) => answers.push(m));
    try {
      for (const kind of [MeshKind.DATA, MeshKind.KEEPALIVE]) {
        const frame = encodeMeshClientFrame({
          kind,
          tokenOrStatus: 7,
          seq: 1,
          sessionId: new Uint8Array(8),
          ip: parseIpv4('127.0.0.1')!,
          port: 9,
          exit: 'e',
          payload: Uint8Array.of(1),
        });
        s.send(frame, entry.dataPort, '127.0.0.1');
      }
      expect(await waitFor(() => entry.mesh!.stats.clientIn >= 2, 2000)).toBe(true);
      expect(
        await metric(entry, 'lightspeed_mesh_dropped_packets_total', { reason: 'client_unauthenticated' }),
      ).toBe(2);
      expect(entry.mesh!.flows().exit).toBe(0);
      expect(answers).toHaveLength(0);
    } finally {
      s.close();
      await entry.stop();
    }
  });
});
