import { X509Certificate } from 'node:crypto';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { certificateSerial, certificateSha256, generateSelfSigned } from './certificate.js';

describe('generateSelfSigned', () => {
  it('makes a certificate OpenSSL parses whatever the random serial bytes are (leading 0x00, 0x80, 0xff)', () => {
    for (const first of [0x00, 0x01, 0x3f, 0x7f, 0x80, 0xbf, 0xff]) {
      for (const second of [0x00, 0x7f, 0x80, 0xff]) {
        const random = new Uint8Array(16).fill(0x5a);
        random[0] = first;
        random[1] = second;
        const { certPem, keyPem } = generateSelfSigned('lightspeed-proxy', 30, random);
        const cert = new X509Certificate(certPem);
        expect(cert.subject).toBe('CN=lightspeed-proxy');
        expect(cert.subjectAltName).toBe('DNS:lightspeed-proxy');
        expect(cert.serialNumber.length).toBe(32);
        expect(keyPem).toContain('BEGIN PRIVATE KEY');
        expect(certificateSha256(certPem)).toMatch(/^[0-9a-f]{64}$/);
      }
    }
  });
});

describe('certificateSerial', () => {
  it('is always a positive, minimally encoded 16-byte INTEGER and keeps the other 15 random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (random) => {
        const serial = certificateSerial(random);
        expect(serial.length).toBe(16);
        expect(serial[0]! & 0x80).toBe(0); // not negative
        expect(serial[0]).not.toBe(0); // no leading padding byte
        expect(Array.from(serial.subarray(1))).toEqual(Array.from(random.subarray(1)));
      }),
    );
  });

  it('refuses a wrong amount of randomness', () => {
    expect(() => certificateSerial(new Uint8Array(15))).toThrow(RangeError);
  });
});
