/**
 * `lightspeed registry` as an operator runs it (the built CLI, a child process): a key, a signed relay
 * list, and the app's own loader accepting the result over real HTTP on loopback.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadRegistryRelays } from '../../ipc-backend/relay-registry.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const cli = path.join(repo, 'electron/bin/lightspeed.js');
let dir: string;

function lightspeed(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, 'registry', ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lightspeed-registry-cli-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const relays = [
  { host: '127.0.0.1', data_port: 4434, control_port: 4433, node_id: 'fra-1', region: 'eu-central' },
  { host: '127.0.0.2', node_id: 'ams-1', cert_sha256: 'ab'.repeat(32) },
];

describe('lightspeed registry', () => {
  it('keygen, sign, verify: the app loads what the operator signed; another key is refused', async () => {
    const key = path.join(dir, 'key.pem');
    const gen = await lightspeed(['keygen', '--out', key]);
    expect(gen.code).toBe(0);
    const publicKey = gen.stdout.trim();
    expect(publicKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect((await stat(key)).mode & 0o777).toBe(0o600);
    // A key that may already be pinned in clients is never overwritten.
    const again = await lightspeed(['keygen', '--out', key]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/cannot write/);
    expect(await readFile(key, 'utf8')).toMatch(/BEGIN PRIVATE KEY/);

    await writeFile(path.join(dir, 'relays.json'), JSON.stringify({ relays }));
    const out = path.join(dir, 'registry.json');
    const signed = await lightspeed([
      'sign',
      '--key',
      key,
      '--relays',
      path.join(dir, 'relays.json'),
      '--valid-days',
      '3',
      '--out',
      out,
    ]);
    expect(signed.code).toBe(0);
    expect(signed.stderr).toMatch(/Signed 2 relays, valid until/);

    const ok = await lightspeed(['verify', '--registry', out, '--key', publicKey]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^valid: 2 relays/);
    expect(ok.stdout).toMatch(/fra-1 {2}127\.0\.0\.1:4434 {2}control 4433 {2}eu-central/);

    const other = path.join(dir, 'other.pem');
    const otherKey = (await lightspeed(['keygen', '--out', other])).stdout.trim();
    const refused = await lightspeed(['verify', '--registry', out, '--key', otherKey]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/signature does not verify/);

    // The app's loader, over HTTP, takes the file as the operator published it.
    const body = await readFile(out);
    const server = createServer((_req, res) => res.end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const load = await loadRegistryRelays(`http://127.0.0.1:${port}/registry.json`, publicKey);
      expect(load.relays.map((r) => [r.id, r.host, r.port, r.controlPort])).toEqual([
        ['fra-1', '127.0.0.1', 4434, 4433],
        ['ams-1', '127.0.0.2', 4434, 4433],
      ]);
      expect(load.relays[1]!.certSha256).toBe('ab'.repeat(32));
      expect(load.expiresAtMs - Date.now()).toBeGreaterThan(2 * 86_400_000);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('names a bad relay entry instead of signing it, and says how to use it on bad usage', async () => {
    const key = path.join(dir, 'bad-entry.pem');
    expect((await lightspeed(['keygen', '--out', key])).code).toBe(0);
    await writeFile(path.join(dir, 'bad.json'), JSON.stringify([{ host: '127.0.0.1', data_port: 99999 }]));
    const bad = await lightspeed(['sign', '--key', key, '--relays', path.join(dir, 'bad.json')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/data_port/);
    expect(bad.stdout).toBe('');

    const none = await lightspeed([]);
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split('\n')).toEqual([
      'lightspeed registry: expected keygen, sign or verify',
      "see 'lightspeed registry --help'",
    ]);
    const noKey = await lightspeed(['sign', '--relays', 'x.json']);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/--key FILE/);
  });
});
