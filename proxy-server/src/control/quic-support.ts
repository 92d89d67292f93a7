/**
 * What @matrixai/quic needs from its host: a logger (it prints to stderr without one), the server's crypto
 * callbacks (used only to mint and check its own retry tokens: HMAC-SHA256 with a per-process key), and the
 * options every control-plane client connects with — the engine's client and the relay's raw test client.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual, webcrypto } from 'node:crypto';

import Logger, { LogLevel } from '@matrixai/logger';
import type { QUICClientConfigInput, QUICClientCrypto, QUICServerCrypto } from '@matrixai/quic';

/** The certificate name deployed relays present and deployed clients expect (a DNS name, not an IP). */
export const CONTROL_SERVER_NAME = 'lightspeed-proxy';
/** ALPN offered and accepted by LightSpeed control peers (deployed no-ALPN peers: docs/control-plane.md). */
export const CONTROL_ALPN = 'lightspeed';
/** TLS alert bad_certificate as a QUIC error (0x100 + 42): a certificate that does not match the pin. */
export const BAD_CERTIFICATE = 298;

/** The part of QUICClient.createQUICClient's options a control client fills in. */
export interface ControlQuicClientOptions {
  host: string;
  port: number;
  serverName: string;
  localHost?: string;
  crypto: QUICClientCrypto;
  config: QUICClientConfigInput;
  logger: Logger;
}

/**
 * Options for a control-plane QUIC client: the name deployed relays' certificates carry (whatever address is
 * dialled: the library refuses IP addresses as server names), our ALPN, and certificate pinning — the
 * relay's certificate is self-signed, so without a SHA-256 pin (hex, colons allowed) any certificate is taken.
 */
export function controlClientOptions(opts: {
  host: string;
  port: number;
  localHost?: string | undefined;
  certSha256?: string | undefined;
  serverName?: string | undefined;
  config?: QUICClientConfigInput;
}): ControlQuicClientOptions {
  const pin = normalizePin(opts.certSha256);
  return {
    host: opts.host,
    port: opts.port,
    serverName: opts.serverName ?? CONTROL_SERVER_NAME,
    ...(opts.localHost !== undefined ? { localHost: opts.localHost } : {}),
    crypto: {
      ops: {
        randomBytes: (data: ArrayBuffer): Promise<void> => {
          webcrypto.getRandomValues(new Uint8Array(data));
          return Promise.resolve();
        },
      },
    },
    config: {
      ...opts.config,
      verifyPeer: true,
      applicationProtos: [CONTROL_ALPN],
      verifyCallback: (certs: Uint8Array[]) => {
        const leaf = certs[0];
        const ok = pin === undefined || (leaf !== undefined && derSha256(leaf) === pin);
        return Promise.resolve(ok ? undefined : BAD_CERTIFICATE);
      },
    },
    logger: silentQuicLogger(),
  };
}

/** A certificate pin as lowercase hex without colons (undefined stays undefined). */
export function normalizePin(certSha256: string | undefined): string | undefined {
  return certSha256 ? certSha256.replace(/:/g, '').toLowerCase() : undefined;
}

/** SHA-256 fingerprint (lowercase hex) of a DER certificate, as a TLS peer presents it. */
export function derSha256(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/** A logger that swallows the library's own chatter; our code logs what matters itself. */
export function silentQuicLogger(): Logger {
  return new Logger('quic', LogLevel.SILENT, []);
}

/** Server crypto: a fresh HMAC key per process and sign/verify over it. */
export function serverCrypto(): QUICServerCrypto {
  const key = randomBytes(32);
  return {
    key: toArrayBuffer(key),
    ops: {
      sign: (k: ArrayBuffer, data: ArrayBuffer): Promise<ArrayBuffer> =>
        Promise.resolve(toArrayBuffer(hmac(k, data))),
      verify: (k: ArrayBuffer, data: ArrayBuffer, sig: ArrayBuffer): Promise<boolean> => {
        const expected = hmac(k, data);
        const given = Buffer.from(sig);
        return Promise.resolve(given.length === expected.length && timingSafeEqual(given, expected));
      },
    },
  };
}

function hmac(key: ArrayBuffer, data: ArrayBuffer): Buffer {
  return createHmac('sha256', Buffer.from(key)).update(Buffer.from(data)).digest();
}

function toArrayBuffer(buf: Buffer): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}
