/**
 * Fuzzing of the discovery decoders that read the network: the signed registry (HTTP or file) and a
 * relay's GET /peers body. Whatever arrives, they answer with their typed refusal, never another error,
 * and a registry verifies only if its signed bytes are exactly what the key signed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { parsePeers } from './peer-exchange.js';
import { DiscoveryError } from './relay-endpoint.js';
import { generateRegistryKeys, RegistryError, signRegistry, verifyRegistry } from './signed-registry.js';

const NOW = new Date('2026-11-22T03:00:00Z');
const DAY = 86_400_000;
const keys = generateRegistryKeys();
const signed = signRegistry(
  {
    issuedAt: new Date(NOW.getTime() - DAY),
    expiresAt: new Date(NOW.getTime() + DAY),
    relays: [
      { host: '198.51.100.7', data_port: 4434, region: 'eu-west', node_id: 'ams-1' },
      { host: 'relay.example.net' },
    ],
  },
  keys.privateKeyPem,
);
const genuine = verifyRegistry(signed, keys.publicKeyBase64, { now: NOW });

/** Byte-level edits of a text: flips, deletions and insertions at random places. */
const mutation = fc.array(
  fc.record({
    at: fc.nat(),
    kind: fc.constantFrom('flip', 'drop', 'insert'),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  { minLength: 1, maxLength: 6 },
);

function mutate(text: string, edits: Array<{ at: number; kind: string; byte: number }>): string {
  const bytes = [...Buffer.from(text, 'utf8')];
  for (const e of edits) {
    const i = e.at % (bytes.length + 1);
    if (e.kind === 'flip' && i < bytes.length) bytes[i] = bytes[i]! ^ (1 << (e.byte % 8));
    else if (e.kind === 'drop') bytes.splice(i, 1);
    else bytes.splice(i, 0, e.byte);
  }
  return Buffer.from(bytes).toString('utf8');
}

function registryOutcome(text: string): 'refused' | 'accepted' {
  try {
    const reg = verifyRegistry(text, keys.publicKeyBase64, { now: NOW });
    // Lenient base64 may decode an edited envelope to the very bytes that were signed: then, and only
    // then, may it verify, and it must say exactly what the genuine one says.
    expect(reg).toEqual(genuine);
    return 'accepted';
  } catch (err) {
    if (!(err instanceof RegistryError)) throw err;
    expect(['malformed', 'bad-signature']).toContain(err.code); // the key is good and the dates are in range
    expect(err.message).toMatch(/^relay registry/);
    return 'refused';
  }
}

describe('signed registry decoder (fuzz)', () => {
  it('refuses arbitrary text and JSON with a RegistryError, never anything else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (text) => {
          expect(registryOutcome(text)).toBe('refused');
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('accepts a mutated envelope only when it still carries the signed bytes, with the same relays', () => {
    let refused = 0;
    fc.assert(
      fc.property(mutation, (edits) => {
        if (registryOutcome(mutate(signed, edits)) === 'refused') refused++;
      }),
      { numRuns: 3000 },
    );
    expect(refused).toBeGreaterThan(2000); // the edits do reach the signed bytes
  });

  it('refuses envelopes of the right shape around random payloads and signatures', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.uint8Array({ maxLength: 80 }), (payload, sig) => {
        const text = JSON.stringify({
          format: (JSON.parse(signed) as { format: string }).format,
          payload: Buffer.from(payload).toString('base64'),
          signature: Buffer.from(sig).toString('base64'),
        });
        expect(registryOutcome(text)).toBe('refused');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('GET /peers decoder (fuzz)', () => {
  const valid = JSON.stringify({ peers: [{ host: '198.51.100.9', data_port: 4434, region: 'us-east' }] });

  it('returns relays or throws DiscoveryError for arbitrary and mutated bodies, never anything else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify({ peers: [v] })),
          mutation.map((edits) => mutate(valid, edits)),
        ),
        (body) => {
          try {
            const relays = parsePeers(body, 'fuzz');
            for (const r of relays) {
              expect(typeof r.host).toBe('string');
              expect(r.dataPort).toBeGreaterThanOrEqual(1);
              expect(r.dataPort).toBeLessThanOrEqual(65535);
            }
          } catch (err) {
            if (!(err instanceof DiscoveryError)) throw err;
            expect(err.message).toMatch(/^peers from fuzz: /);
          }
        },
      ),
      { numRuns: 5000 },
    );
  });
});
