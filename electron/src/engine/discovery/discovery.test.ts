import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { discoverRelays } from './discover.js';
import { resolvePool } from './dns-pool.js';
import { fetchPeers, parsePeers } from './peer-exchange.js';
import { DiscoveryError, parseRelayAddress, staticRelays } from './relay-endpoint.js';
import {
  generateRegistryKeys,
  loadRegistry,
  RegistryError,
  signRegistry,
  verifyRegistry,
} from './signed-registry.js';

const NOW = new Date('2026-11-22T03:00:00Z');
const DAY = 86_400_000;
const PIN = 'a'.repeat(64);
const relays = [
  {
    host: '198.51.100.7',
    data_port: 4434,
    control_port: 4433,
    region: 'eu-west',
    node_id: 'ams-1',
    cert_sha256: PIN,
  },
  { host: 'relay.example.net' },
];

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function serve(handler: (path: string) => { status: number; body: string }): Promise<number> {
  const server = createServer((req, res) => {
    const { status, body } = handler(req.url ?? '/');
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  });
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

/** The RegistryError `fn` throws (fails the test when it throws nothing or something else). */
function refusal(fn: () => unknown): RegistryError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RegistryError) return err;
    throw err;
  }
  throw new Error('expected the registry to be refused');
}

function tamper(envelopeText: string, edit: (payload: Record<string, unknown>) => void): string {
  const env = JSON.parse(envelopeText) as { payload: string };
  const payload = JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8')) as Record<string, unknown>;
  edit(payload);
  return JSON.stringify({ ...env, payload: Buffer.from(JSON.stringify(payload)).toString('base64') });
}

describe('static list', () => {
  it('parses host, host:port and [v6]:port with default control and health ports', () => {
    expect(parseRelayAddress('relay.example.net')).toMatchObject({
      host: 'relay.example.net',
      dataPort: 4434,
      controlPort: 4433,
      healthPort: 8080,
    });
    expect(parseRelayAddress('203.0.113.5:5000')).toMatchObject({ host: '203.0.113.5', dataPort: 5000 });
    expect(parseRelayAddress('[2001:db8::1]:4434')).toMatchObject({ host: '2001:db8::1', dataPort: 4434 });
    expect(staticRelays(['a.example:1', 'b.example'])).toHaveLength(2);
  });

  it('names the bad entry', () => {
    expect(() => staticRelays(['ok.example', 'bad host:1'])).toThrow(/"bad host:1"/);
    expect(() => parseRelayAddress('x.example:70000')).toThrow(/70000 is outside/);
    expect(() => parseRelayAddress('x.example:abc')).toThrow(DiscoveryError);
  });
});

describe('DNS pool', () => {
  it('turns every distinct A record of the pool name into a relay', async () => {
    const asked: string[] = [];
    const resolver = (name: string): Promise<string[]> => {
      asked.push(name);
      return Promise.resolve(['192.0.2.10', '192.0.2.11', '192.0.2.10']);
    };
    const found = await resolvePool('pool.relays.example', { resolver, dataPort: 4500 });
    expect(asked).toEqual(['pool.relays.example']);
    expect(found.map((r) => `${r.host}:${r.dataPort}:${r.source}`)).toEqual([
      '192.0.2.10:4500:dns',
      '192.0.2.11:4500:dns',
    ]);
  });

  it('reports a failed lookup with the pool name and the DNS code', async () => {
    const resolver = (): Promise<string[]> =>
      Promise.reject(Object.assign(new Error('queryA ENOTFOUND'), { code: 'ENOTFOUND' }));
    await expect(resolvePool('gone.example', { resolver })).rejects.toThrow(
      'DNS pool gone.example: lookup failed (ENOTFOUND)',
    );
    await expect(resolvePool('empty.example', { resolver: () => Promise.resolve([]) })).rejects.toThrow(
      /no IPv4 addresses/,
    );
  });
});

describe('signed registry', () => {
  const keys = generateRegistryKeys();
  const signed = signRegistry(
    { issuedAt: new Date(NOW.getTime() - DAY), expiresAt: new Date(NOW.getTime() + 7 * DAY), relays },
    keys.privateKeyPem,
  );

  it('verifies against the pinned key and yields the relays with their pins', () => {
    const reg = verifyRegistry(signed, keys.publicKeyBase64, { now: NOW });
    expect(reg.relays).toEqual([
      {
        host: '198.51.100.7',
        dataPort: 4434,
        controlPort: 4433,
        healthPort: 8080,
        region: 'eu-west',
        nodeId: 'ams-1',
        certSha256: PIN,
        source: 'registry',
      },
      { host: 'relay.example.net', dataPort: 4434, controlPort: 4433, healthPort: 8080, source: 'registry' },
    ]);
    expect(reg.expiresAt.toISOString()).toBe('2026-11-29T03:00:00.000Z');
  });

  it('refuses content modified after signing', () => {
    const modified = tamper(signed, (p) => {
      (p.relays as Array<{ host: string }>)[0]!.host = '203.0.113.66';
    });
    const err = refusal(() => verifyRegistry(modified, keys.publicKeyBase64, { now: NOW }));
    expect(err.code).toBe('bad-signature');
    expect(err.message).toMatch(/does not verify against the pinned key.*refused/);
    const extended = tamper(signed, (p) => {
      p.expires_at = '2099-01-01T00:00:00Z';
    });
    expect(refusal(() => verifyRegistry(extended, keys.publicKeyBase64, { now: NOW })).code).toBe(
      'bad-signature',
    );
    const env = JSON.parse(signed) as { signature: string };
    const sig = Buffer.from(env.signature, 'base64');
    sig[10]! ^= 1;
    const badSig = JSON.stringify({ ...env, signature: sig.toString('base64') });
    expect(refusal(() => verifyRegistry(badSig, keys.publicKeyBase64, { now: NOW })).code).toBe(
      'bad-signature',
    );
  });

  it('refuses a registry signed by another key', () => {
    const other = generateRegistryKeys();
    expect(() => verifyRegistry(signed, other.publicKeyBase64, { now: NOW })).toThrow(RegistryError);
    expect(() => verifyRegistry(signed, other.publicKeyBase64, { now: NOW })).toThrow(
      /signed by another key/,
    );
  });

  it('refuses an expired registry and one issued in the future, even when correctly signed', () => {
    const late = refusal(() =>
      verifyRegistry(signed, keys.publicKeyBase64, { now: new Date(NOW.getTime() + 8 * DAY) }),
    );
    expect(late.code).toBe('expired');
    expect(late.message).toContain('expired at 2026-11-29T03:00:00.000Z');
    const early = refusal(() =>
      verifyRegistry(signed, keys.publicKeyBase64, { now: new Date(NOW.getTime() - 2 * DAY) }),
    );
    expect(early.code).toBe('not-yet-valid');
  });

  it('refuses malformed envelopes and keys with a clear code', () => {
    expect(refusal(() => verifyRegistry('not json', keys.publicKeyBase64)).code).toBe('malformed');
    const other = refusal(() =>
      verifyRegistry('{"format":"other","payload":"x","signature":"y"}', keys.publicKeyBase64),
    );
    expect(other.code).toBe('malformed');
    expect(other.message).toContain('format');
    expect(refusal(() => verifyRegistry(signed, 'AAAA')).code).toBe('bad-key');
  });

  it('loads from a file and over HTTP', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ls-registry-'));
    try {
      const file = join(dir, 'relays.json');
      await writeFile(file, signed);
      expect((await loadRegistry(file, keys.publicKeyBase64, { now: NOW })).relays).toHaveLength(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const port = await serve(() => ({ status: 200, body: signed }));
    const reg = await loadRegistry(`http://127.0.0.1:${port}/relays.json`, keys.publicKeyBase64, {
      now: NOW,
    });
    expect(reg.relays[0]!.nodeId).toBe('ams-1');
  });
});

describe('peer exchange', () => {
  it('reads GET /peers from a relay health port', async () => {
    const port = await serve((path) =>
      path === '/peers'
        ? {
            status: 200,
            body: JSON.stringify({
              node_id: 'a',
              region: 'r',
              peers: [{ host: '192.0.2.20', data_port: 4434, region: 'us' }],
            }),
          }
        : { status: 404, body: '{}' },
    );
    const peers = await fetchPeers({ host: '127.0.0.1', healthPort: port });
    expect(peers).toEqual([
      {
        host: '192.0.2.20',
        dataPort: 4434,
        controlPort: 4433,
        healthPort: 8080,
        region: 'us',
        source: 'peer',
      },
    ]);
  });

  it('refuses malformed peer lists naming the field, and non-200 answers', async () => {
    expect(() => parsePeers('{"peers":[{"host":""}]}', 'x')).toThrow(/peers from x: peers\.0\.host/);
    expect(() => parsePeers('[', 'x')).toThrow(/not JSON/);
    const port = await serve(() => ({ status: 404, body: '{}' }));
    await expect(fetchPeers({ host: '127.0.0.1', healthPort: port })).rejects.toThrow(/HTTP 404/);
  });
});

describe('discoverRelays', () => {
  it('merges static, DNS, registry and peer sources, keeping registry details for duplicates', async () => {
    const keys = generateRegistryKeys();
    const healthPort = await serve(() => ({
      status: 200,
      body: JSON.stringify({ peers: [{ host: '192.0.2.99' }, { host: '127.0.0.1', data_port: 4434 }] }),
    }));
    const registryPort = await serve(() => ({
      status: 200,
      body: signRegistry(
        {
          issuedAt: NOW,
          expiresAt: new Date(NOW.getTime() + DAY),
          relays: [{ host: '127.0.0.1', health_port: healthPort, region: 'lo', cert_sha256: PIN }],
        },
        keys.privateKeyPem,
      ),
    }));
    const result = await discoverRelays(
      {
        static: ['127.0.0.1:4434'],
        dnsPools: ['pool.example'],
        registry: { location: `http://127.0.0.1:${registryPort}/r.json`, publicKey: keys.publicKeyBase64 },
        peerExchangeLimit: 1,
      },
      { resolver: () => Promise.resolve(['192.0.2.1', '192.0.2.2']), now: NOW },
    );
    expect(result.errors).toEqual([]);
    expect(result.relays.map((r) => `${r.host}:${r.source}`).sort()).toEqual([
      '127.0.0.1:registry',
      '192.0.2.1:dns',
      '192.0.2.2:dns',
      '192.0.2.99:peer',
    ]);
    expect(result.relays.find((r) => r.host === '127.0.0.1')).toMatchObject({
      certSha256: PIN,
      region: 'lo',
      healthPort,
    });
  });

  it('keeps the other sources when the registry is refused, and reports why', async () => {
    const keys = generateRegistryKeys();
    const stale = signRegistry(
      { issuedAt: new Date(NOW.getTime() - 9 * DAY), expiresAt: new Date(NOW.getTime() - DAY), relays },
      keys.privateKeyPem,
    );
    const port = await serve(() => ({ status: 200, body: stale }));
    const result = await discoverRelays(
      {
        static: ['192.0.2.5'],
        registry: { location: `http://127.0.0.1:${port}/r.json`, publicKey: keys.publicKeyBase64 },
      },
      { now: NOW },
    );
    expect(result.relays.map((r) => r.host)).toEqual(['192.0.2.5']);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(
      /relay registry \(http:\/\/127\.0\.0\.1:\d+\/r\.json\) expired at .*: refused/,
    );
  });
});
