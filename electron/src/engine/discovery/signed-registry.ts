/**
 * The signed relay registry: a JSON list of relays signed with Ed25519 and verified against a public key
 * pinned in the client (node:crypto). The file is an envelope
 *   { "format": "lightspeed-relay-registry/1", "payload": "<base64 JSON>", "signature": "<base64>" }
 * whose payload is { "issued_at": ISO-8601, "expires_at": ISO-8601, "relays": [ {host, data_port, ...} ] }.
 * The signature covers `lightspeed-relay-registry/1\n` followed by the payload bytes exactly as shipped,
 * so no JSON canonicalisation is needed. A bad signature, an expired or not-yet-valid registry, or a
 * malformed one is refused with a RegistryError saying which.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';

import { z } from 'zod';

import { fetchText, fromWire, wireRelaySchema } from './peer-exchange.js';
import type { DiscoveredRelay } from './relay-endpoint.js';

export const REGISTRY_FORMAT = 'lightspeed-relay-registry/1';
/** Largest registry accepted. */
export const REGISTRY_MAX_BYTES = 1024 * 1024;
/** Clock skew tolerated on issued_at. */
const SKEW_MS = 5 * 60_000;
/** DER prefix that turns a raw 32-byte Ed25519 public key into SubjectPublicKeyInfo. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export type RegistryErrorCode = 'malformed' | 'bad-key' | 'bad-signature' | 'expired' | 'not-yet-valid';

/** Why a registry was refused. */
export class RegistryError extends Error {
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

const envelopeSchema = z.object({
  format: z.literal(REGISTRY_FORMAT),
  payload: z.string().min(1),
  signature: z.string().min(1),
});

const payloadSchema = z.object({
  issued_at: z.iso.datetime({ offset: true }),
  expires_at: z.iso.datetime({ offset: true }),
  relays: z.array(wireRelaySchema).max(10_000),
});

export interface VerifiedRegistry {
  relays: DiscoveredRelay[];
  issuedAt: Date;
  expiresAt: Date;
}

/** Reads a pinned Ed25519 public key: PEM (SPKI), or the raw 32 bytes as base64 or hex. */
export function parseRegistryPublicKey(text: string): KeyObject {
  const t = text.trim();
  try {
    if (t.startsWith('-----BEGIN')) return ed25519(createPublicKey(t));
    const raw = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
    if (raw.length !== 32) throw new Error(`expected 32 key bytes, got ${raw.length}`);
    return ed25519(
      createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' }),
    );
  } catch (err) {
    throw new RegistryError('bad-key', `registry public key: ${(err as Error).message}`);
  }
}

function ed25519(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`not an Ed25519 key (${key.asymmetricKeyType ?? '?'})`);
  return key;
}

/** Verifies a registry envelope and returns its relays; throws RegistryError when it must be refused. */
export function verifyRegistry(
  text: string,
  publicKey: KeyObject | string,
  opts: { now?: Date; from?: string } = {},
): VerifiedRegistry {
  const from = opts.from ? ` (${opts.from})` : '';
  const key = typeof publicKey === 'string' ? parseRegistryPublicKey(publicKey) : publicKey;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RegistryError('malformed', `relay registry${from} is not JSON: refused`);
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) {
    const issue = envelope.error.issues[0]!;
    throw new RegistryError(
      'malformed',
      `relay registry${from}: ${issue.path.join('.') || 'envelope'}: ${issue.message}`,
    );
  }
  const payload = Buffer.from(envelope.data.payload, 'base64');
  const signature = Buffer.from(envelope.data.signature, 'base64');
  if (signature.length !== 64 || !verify(null, signedBytes(payload), key, signature)) {
    throw new RegistryError(
      'bad-signature',
      `relay registry${from}: signature does not verify against the pinned key (modified, or signed by another key): refused`,
    );
  }
  let body: z.infer<typeof payloadSchema>;
  try {
    body = payloadSchema.parse(JSON.parse(payload.toString('utf8')));
  } catch (err) {
    throw new RegistryError(
      'malformed',
      `relay registry${from}: signed payload is malformed (${(err as Error).message})`,
    );
  }
  const now = opts.now ?? new Date();
  const issuedAt = new Date(body.issued_at);
  const expiresAt = new Date(body.expires_at);
  if (expiresAt.getTime() <= now.getTime()) {
    throw new RegistryError('expired', `relay registry${from} expired at ${body.expires_at}: refused`);
  }
  if (issuedAt.getTime() > now.getTime() + SKEW_MS) {
    throw new RegistryError(
      'not-yet-valid',
      `relay registry${from} is issued in the future (${body.issued_at}): refused`,
    );
  }
  return { relays: body.relays.map((r) => fromWire(r, 'registry')), issuedAt, expiresAt };
}

/** Loads a registry from an http(s) URL or a file path and verifies it. */
export async function loadRegistry(
  location: string,
  publicKey: KeyObject | string,
  opts: { now?: Date; timeoutMs?: number } = {},
): Promise<VerifiedRegistry> {
  const text = await readRegistryText(location, opts.timeoutMs ?? 5000);
  return verifyRegistry(text, publicKey, { ...opts, from: location });
}

/** A registry's text, unverified: from an http(s) URL (bounded by `timeoutMs` and 1 MiB) or a file. */
export async function readRegistryText(location: string, timeoutMs: number): Promise<string> {
  return /^https?:\/\//.test(location)
    ? await fetchText(location, REGISTRY_MAX_BYTES, timeoutMs)
    : await readFile(location, 'utf8').catch((err: Error) => {
        throw new RegistryError('malformed', `relay registry ${location}: ${err.message}`);
      });
}

/** Signs a registry (operator tooling and tests): returns the envelope JSON text. */
export function signRegistry(
  registry: { issuedAt: Date; expiresAt: Date; relays: Array<z.input<typeof wireRelaySchema>> },
  privateKeyPem: string | KeyObject,
): string {
  const payload = Buffer.from(
    JSON.stringify({
      issued_at: registry.issuedAt.toISOString(),
      expires_at: registry.expiresAt.toISOString(),
      relays: registry.relays,
    }),
  );
  const key = typeof privateKeyPem === 'string' ? createPrivateKey(privateKeyPem) : privateKeyPem;
  const signature = sign(null, signedBytes(payload), key);
  return JSON.stringify(
    { format: REGISTRY_FORMAT, payload: payload.toString('base64'), signature: signature.toString('base64') },
    null,
    2,
  );
}

/** A new signing key pair: private key PEM (keep it offline) and the public key as base64 (pin it). */
export function generateRegistryKeys(): { privateKeyPem: string; publicKeyBase64: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyBase64: spki.subarray(ED25519_SPKI_PREFIX.length).toString('base64'),
  };
}

function signedBytes(payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${REGISTRY_FORMAT}\n`), payload]);
}
