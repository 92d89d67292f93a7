/**
 * `lightspeed probe` (built CLI; `npx tsc -b electron` first) discovers relays from a signed registry,
 * and refuses a tampered or expired one with a message saying why.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startTestRelay, type Relay } from '@lightspeed/proxy-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateRegistryKeys, signRegistry } from './signed-registry.js';

const BIN = fileURLToPath(new URL('../../../bin/lightspeed.js', import.meta.url));
const DIST = fileURLToPath(new URL('../../../dist/engine/discovery/cli-relays.js', import.meta.url));

function probe(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [BIN, 'probe', '--count', '3', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    }),
  );
}

let relay: Relay;
let dir: string;
const keys = generateRegistryKeys();
const DAY = 86_400_000;

beforeAll(async () => {
  if (!existsSync(DIST)) throw new Error('electron/dist is missing: build first with `npx tsc -b electron`');
  relay = await startTestRelay({ server: { node_id: 'reg-relay' } });
  dir = await mkdtemp(join(tmpdir(), 'ls-probe-registry-'));
});

afterAll(async () => {
  await relay.stop();
  await rm(dir, { recursive: true, force: true });
});

async function registryFile(name: string, expiresAt: Date, edit?: (text: string) => string): Promise<string> {
  const text = signRegistry(
    {
      issuedAt: new Date(Date.now() - DAY),
      expiresAt,
      relays: [{ host: '127.0.0.1', data_port: relay.dataPort, node_id: 'reg-relay', region: 'lab' }],
    },
    keys.privateKeyPem,
  );
  const path = join(dir, name);
  await writeFile(path, edit ? edit(text) : text);
  return path;
}

describe('lightspeed probe --registry', () => {
  it('probes the relays a verified registry lists', async () => {
    const file = await registryFile('good.json', new Date(Date.now() + DAY));
    const r = await probe(['--registry', file, '--registry-key', keys.publicKeyBase64, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const ranked = JSON.parse(r.out) as Array<{ relay: { id: string }; reachable: boolean }>;
    expect(ranked).toHaveLength(1);
    expect(ranked[0]).toMatchObject({ relay: { id: 'reg-relay' }, reachable: true });
  });

  it('refuses a registry modified after signing, or expired, saying why, and exits 1', async () => {
    const tampered = await registryFile('tampered.json', new Date(Date.now() + DAY), (text) => {
      const env = JSON.parse(text) as { payload: string };
      const payload = Buffer.from(env.payload, 'base64').toString().replace('"lab"', '"elsewhere"');
      return JSON.stringify({ ...env, payload: Buffer.from(payload).toString('base64') });
    });
    const bad = await probe(['--registry', tampered, '--registry-key', keys.publicKeyBase64]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/signature does not verify against the pinned key .*refused/);

    const stale = await registryFile('stale.json', new Date(Date.now() - 1000));
    const old = await probe(['--registry', stale, '--registry-key', keys.publicKeyBase64]);
    expect(old.code).toBe(1);
    expect(old.err).toMatch(/expired at .*: refused/);
  });

  it('needs the pinned key', async () => {
    const r = await probe(['--registry', join(dir, 'good.json')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--registry needs --registry-key');
  });
});
