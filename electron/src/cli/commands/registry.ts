/** `lightspeed registry`: the operator's side of the signed relay registry — make a key, sign, verify. */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';

import { numberArg, parseCliArgs } from '@lightspeed/shared/node';

import {
  generateRegistryKeys,
  loadRegistry,
  signRegistry,
  verifyRegistry,
} from '../../engine/discovery/index.js';
import { UsageError, type Command } from '../command.js';

const help = `Usage: lightspeed registry keygen --out FILE
       lightspeed registry sign --key FILE --relays FILE [--valid-days N] [--out FILE]
       lightspeed registry verify --registry URL|FILE --key PUBLIC_KEY

Makes and checks the signed relay registry the app reads (format: docs/relays.md).

  keygen   writes a new Ed25519 private key (PEM, mode 0600) to FILE and prints its public key: pin that
           key in the app (Settings → your registry's key, or LIGHTSPEED_REGISTRY_KEY). Keep FILE offline.
  sign     signs the relays in --relays (a JSON array, or {"relays": [...]}, of entries such as
           {"host": "203.0.113.7", "data_port": 4434, "control_port": 4433, "node_id": "fra-1",
           "region": "eu-central", "cert_sha256": "<64 hex>"}) with the private key, valid from now for
           --valid-days (default 7, at most 365), and writes the registry to --out (default stdout)
  verify   fetches or reads a registry and checks it against the public key, as the app does; prints its
           relays and expiry, exits 1 when the app would refuse it

Options:
  --out FILE           where to write (keygen: required; sign: default stdout)
  --key FILE|KEY       sign: the private key file; verify: the public key (base64, hex or PEM)
  --relays FILE        sign: the relay list
  --valid-days N       sign: days until the registry expires (default 7)
  --registry URL|FILE  verify: the registry to check
  -h, --help           this text

Example:
  lightspeed registry keygen --out registry-key.pem
  lightspeed registry sign --key registry-key.pem --relays relays.json --out registry.json`;

const usage = (m: string): Error => new UsageError(m);

async function keygen(argv: string[]): Promise<number> {
  const v = parseCliArgs(argv, { out: { type: 'string' } }, usage);
  if (v.out === undefined || v.out === '')
    throw new UsageError('keygen needs --out FILE for the private key');
  const keys = generateRegistryKeys();
  try {
    // 'wx': never overwrite a key that may already be pinned in clients.
    await writeFile(v.out, keys.privateKeyPem, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    console.error(`lightspeed registry: cannot write ${v.out}: ${(err as Error).message}`);
    return 1;
  }
  console.error(`Private key written to ${v.out} (keep it offline). Public key, to pin in the app:`);
  console.log(keys.publicKeyBase64);
  return 0;
}

async function sign(argv: string[]): Promise<number> {
  const v = parseCliArgs(
    argv,
    {
      key: { type: 'string' },
      relays: { type: 'string' },
      'valid-days': { type: 'string' },
      out: { type: 'string' },
    },
    usage,
  );
  if (v.key === undefined) throw new UsageError('sign needs --key FILE (the private key from keygen)');
  if (v.relays === undefined) throw new UsageError('sign needs --relays FILE (the relay list)');
  const days = numberArg(v['valid-days'], 'valid-days', 7, 1, 365, usage, true);
  let privateKey;
  let relays: unknown;
  try {
    privateKey = createPrivateKey(await readFile(v.key, 'utf8'));
  } catch (err) {
    console.error(`lightspeed registry: --key ${v.key}: ${(err as Error).message}`);
    return 1;
  }
  try {
    const json = JSON.parse(await readFile(v.relays, 'utf8')) as unknown;
    relays = Array.isArray(json) ? json : (json as { relays?: unknown } | null)?.relays;
    if (!Array.isArray(relays)) throw new Error('expected a JSON array of relays, or {"relays": [...]}');
  } catch (err) {
    console.error(`lightspeed registry: --relays ${v.relays}: ${(err as Error).message}`);
    return 1;
  }
  const issuedAt = new Date();
  const expiresAt = new Date(issuedAt.getTime() + days * 86_400_000);
  let text: string;
  try {
    text = signRegistry({ issuedAt, expiresAt, relays: relays as [] }, privateKey);
    // Check it as a client will, so a bad entry is named here rather than refused by every app.
    verifyRegistry(text, createPublicKey(privateKey), { from: v.relays });
  } catch (err) {
    console.error(`lightspeed registry: ${(err as Error).message}`);
    return 1;
  }
  if (v.out === undefined) console.log(text);
  else await writeFile(v.out, `${text}\n`);
  console.error(`Signed ${(relays as unknown[]).length} relays, valid until ${expiresAt.toISOString()}.`);
  return 0;
}

async function verify(argv: string[]): Promise<number> {
  const v = parseCliArgs(argv, { registry: { type: 'string' }, key: { type: 'string' } }, usage);
  if (v.registry === undefined) throw new UsageError('verify needs --registry URL|FILE');
  if (v.key === undefined) throw new UsageError('verify needs --key (the pinned public key)');
  try {
    const reg = await loadRegistry(v.registry, v.key);
    console.log(
      `valid: ${reg.relays.length} relays, issued ${reg.issuedAt.toISOString()}, expires ${reg.expiresAt.toISOString()}`,
    );
    for (const r of reg.relays) {
      const pin = r.certSha256 === undefined ? 'no pin' : `pin ${r.certSha256.slice(0, 12)}…`;
      console.log(
        `  ${r.nodeId ?? '-'}  ${r.host}:${r.dataPort}  control ${r.controlPort}  ${r.region ?? ''}  ${pin}`,
      );
    }
    return 0;
  } catch (err) {
    console.error(`lightspeed registry: ${(err as Error).message}`);
    return 1;
  }
}

const command: Command = {
  summary: 'make a registry key, sign a relay list, verify a registry',
  help,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'keygen') return keygen(rest);
    if (sub === 'sign') return sign(rest);
    if (sub === 'verify') return verify(rest);
    throw new UsageError(
      sub === undefined
        ? 'expected keygen, sign or verify'
        : `unknown subcommand '${sub}' (keygen, sign, verify)`,
    );
  },
};

export default command;
