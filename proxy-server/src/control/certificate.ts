/**
 * The control plane's TLS identity: a self-signed ECDSA P-256 certificate for the name deployed relays use
 * (`lightspeed-proxy`). Generated at first start and kept in a directory so its fingerprint stays stable
 * across restarts (clients pin it); operator-provided cert/key files win over the generated pair.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  BasicConstraints,
  Certificate,
  Extension,
  Extensions,
  GeneralName,
  id_ce_basicConstraints,
  id_ce_subjectAltName,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';

import { CONTROL_SERVER_NAME, derSha256 } from './quic-support.js';

const OID_COMMON_NAME = '2.5.4.3';
const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const GENERATED_CERT_FILE = 'control-cert.pem';
const GENERATED_KEY_FILE = 'control-key.pem';

export interface ControlIdentity {
  certPem: string;
  keyPem: string;
  /** SHA-256 of the DER certificate, lowercase hex: what clients pin. */
  sha256: string;
  /** Where it came from: operator files, a previously generated pair, or generated now. */
  source: 'configured' | 'stored' | 'generated';
}

/**
 * A 16-byte certificate serial from random bytes that DER encodes as a positive INTEGER in minimal form:
 * the first byte is forced into 0x40..0x7f, so it is neither negative (high bit) nor padding (a leading
 * 0x00 before a byte below 0x80 is "illegal padding" to OpenSSL, which rejected 1 in 256 certificates).
 */
export function certificateSerial(random: Uint8Array): Uint8Array {
  if (random.length !== 16) throw new RangeError('certificateSerial: need 16 random bytes');
  const serial = Uint8Array.from(random);
  serial[0] = (serial[0]! & 0x3f) | 0x40;
  return serial;
}

/** Creates a self-signed certificate for `name` (also its only DNS subjectAltName). */
export function generateSelfSigned(
  name = CONTROL_SERVER_NAME,
  validDays = 3650,
  random: Uint8Array = randomBytes(16),
): { certPem: string; keyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const subject = new Name([
    new RelativeDistinguishedName([
      new AttributeTypeAndValue({ type: OID_COMMON_NAME, value: new AttributeValue({ utf8String: name }) }),
    ]),
  ]);
  const serial = certificateSerial(random);
  const now = Date.now();
  const algorithm = new AlgorithmIdentifier({ algorithm: OID_ECDSA_WITH_SHA256 });
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: toArrayBuffer(serial),
    signature: algorithm,
    issuer: subject,
    subject,
    validity: new Validity({
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + validDays * 86_400_000),
    }),
    subjectPublicKeyInfo: AsnConvert.parse(spki, SubjectPublicKeyInfo),
    extensions: new Extensions([
      new Extension({
        extnID: id_ce_subjectAltName,
        critical: false,
        extnValue: new OctetString(
          AsnConvert.serialize(new SubjectAlternativeName([new GeneralName({ dNSName: name })])),
        ),
      }),
      new Extension({
        extnID: id_ce_basicConstraints,
        critical: true,
        extnValue: new OctetString(AsnConvert.serialize(new BasicConstraints({ cA: false }))),
      }),
    ]),
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = sign('sha256', tbsDer, privateKey); // DER ECDSA-Sig-Value, as X.509 wants it
  const cert = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: algorithm,
    signatureValue: toArrayBuffer(signature),
  });
  const der = Buffer.from(AsnConvert.serialize(cert));
  return {
    certPem: toPem(der, 'CERTIFICATE'),
    keyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

/** SHA-256 fingerprint (lowercase hex) of the first certificate in a PEM string. */
export function certificateSha256(certPem: string): string {
  return derSha256(new X509Certificate(certPem).raw);
}

/**
 * Loads the operator's cert/key when both paths are given, else the pair kept in `dir`, else generates one
 * there (mode 0600 for the key). Throws with the offending path when files are unreadable or mismatched.
 */
export async function loadOrCreateIdentity(opts: {
  certPath?: string | undefined;
  keyPath?: string | undefined;
  dir?: string | undefined;
  name?: string;
}): Promise<ControlIdentity> {
  if (opts.certPath || opts.keyPath) {
    if (!opts.certPath || !opts.keyPath) throw new Error('control: cert and key must be given together');
    const certPem = await readText(opts.certPath);
    const keyPem = await readText(opts.keyPath);
    checkPair(certPem, keyPem, `${opts.certPath} / ${opts.keyPath}`);
    return { certPem, keyPem, sha256: certificateSha256(certPem), source: 'configured' };
  }
  if (!opts.dir) {
    const fresh = generateSelfSigned(opts.name);
    return { ...fresh, sha256: certificateSha256(fresh.certPem), source: 'generated' };
  }
  const certFile = join(opts.dir, GENERATED_CERT_FILE);
  const keyFile = join(opts.dir, GENERATED_KEY_FILE);
  const stored = await readPair(certFile, keyFile);
  if (stored) {
    checkPair(stored.certPem, stored.keyPem, `${certFile} / ${keyFile}`);
    return { ...stored, sha256: certificateSha256(stored.certPem), source: 'stored' };
  }
  const fresh = generateSelfSigned(opts.name);
  await mkdir(opts.dir, { recursive: true, mode: 0o700 });
  await writeFile(keyFile, fresh.keyPem, { mode: 0o600 });
  await writeFile(certFile, fresh.certPem, { mode: 0o644 });
  return { ...fresh, sha256: certificateSha256(fresh.certPem), source: 'generated' };
}

async function readPair(
  certFile: string,
  keyFile: string,
): Promise<{ certPem: string; keyPem: string } | null> {
  try {
    return { certPem: await readFile(certFile, 'utf8'), keyPem: await readFile(keyFile, 'utf8') };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`control: cannot read ${path}: ${(err as Error).message}`);
  }
}

function checkPair(certPem: string, keyPem: string, where: string): void {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    throw new Error(`control: ${where}: not a PEM certificate (${(err as Error).message})`);
  }
  try {
    if (!cert.checkPrivateKey(createPrivateKey(keyPem)))
      throw new Error('key does not match the certificate');
  } catch (err) {
    throw new Error(`control: ${where}: ${(err as Error).message}`);
  }
}

function toPem(der: Buffer, label: string): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function toArrayBuffer(buf: Uint8Array): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}
