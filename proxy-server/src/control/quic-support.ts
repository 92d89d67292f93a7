/**
 * What @matrixai/quic needs from its host: a logger (it prints to stderr without one) and the server's
 * crypto callbacks, used only to mint and check its own retry tokens (HMAC-SHA256 with a per-process key).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import Logger, { LogLevel } from '@matrixai/logger';
import type { QUICServerCrypto } from '@matrixai/quic';

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
