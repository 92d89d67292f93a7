/**
 * The dashboard server on a real socket: token, Host and Origin checks, static files and the CSP, and the
 * WebSocket bridge carrying the contract to a real backend (real engine factory, real game detection over
 * an empty fixture home).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';

import {
  createDispatcher,
  createNotifier,
  ipcSchema,
  parseServerFrame,
  type ServerFrame,
} from '@lightspeed/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { BoostEngine } from '../engine/index.js';
import { LightspeedBackend } from '../ipc-backend/backend.js';
import { createGamesProvider } from '../ipc-backend/games-provider.js';
import { waitFor } from '../test-support/wait.js';
import { isLoopbackHost, splitTokenPath, tokenMatches } from './access.js';
import { RemoteBindRefused, startDashboard, type Dashboard } from './dashboard-server.js';

let dir: string;
let dashboard: Dashboard;
let base: URL;

function get(
  pathname: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: dashboard.port, path: pathname, method, headers },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

interface Client {
  ws: WebSocket;
  frames: ServerFrame[];
  invalid: string[];
  call(ch: string, arg?: unknown): Promise<ServerFrame & { t: 'result' }>;
}

function connect(url: string, origin: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { origin });
    const client: Client = {
      ws,
      frames: [],
      invalid: [],
      call(ch, arg) {
        const id = Math.floor(Math.random() * 1e9);
        ws.send(JSON.stringify(arg === undefined ? { t: 'invoke', id, ch } : { t: 'invoke', id, ch, arg }));
        return new Promise((res, rej) => {
          const deadline = setTimeout(() => rej(new Error(`no answer to ${ch}`)), 5000);
          const check = (): void => {
            const hit = client.frames.find((f) => f.t === 'result' && f.id === id);
            if (hit) {
              clearTimeout(deadline);
              res(hit as ServerFrame & { t: 'result' });
            } else setTimeout(check, 5);
          };
          check();
        });
      },
    };
    ws.on('message', (data: Buffer) => {
      // Every frame the server sends must pass the same parser the browser client uses.
      const frame = parseServerFrame(data.toString());
      if (frame) client.frames.push(frame);
      else client.invalid.push(data.toString());
    });
    ws.on('open', () => resolve(client));
    ws.on('error', reject);
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lightspeed-dashboard-'));
  await mkdir(path.join(dir, 'ui/assets'), { recursive: true });
  await writeFile(
    path.join(dir, 'ui/index.html'),
    '<!doctype html><title>LightSpeed</title><script type="module" src="./assets/app.js"></script>',
  );
  await writeFile(path.join(dir, 'ui/assets/app.js'), 'console.log(1);');
  await writeFile(path.join(dir, 'secret.txt'), 'outside the UI directory');
  let live: Dashboard | null = null;
  const backend = new LightspeedBackend({
    app: { version: 'test', shell: 'dashboard', demo: false },
    createEngine: ({ keepaliveMs }) => new BoostEngine({ keepaliveMs }),
    games: createGamesProvider({
      platform: 'linux',
      env: { HOME: dir },
      root: dir,
      listProcesses: () => Promise.resolve([]),
    }),
    notify: createNotifier(ipcSchema, (ch, payload) => live?.broadcast(ch, payload)),
  });
  dashboard = await startDashboard({
    host: '127.0.0.1',
    port: 0,
    uiDir: path.join(dir, 'ui'),
    dispatcher: createDispatcher(ipcSchema, backend.handlers),
  });
  live = dashboard;
  base = new URL(dashboard.url);
});

afterAll(async () => {
  await dashboard?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('dashboard access', () => {
  it('prints a loopback URL whose first path segment is a long random token', () => {
    expect(base.hostname).toBe('127.0.0.1');
    expect(dashboard.token.length).toBeGreaterThanOrEqual(32);
    expect(base.pathname).toBe(`/${dashboard.token}/`);
  });

  it('serves the UI under the token, with a strict CSP and hardening headers', async () => {
    const page = await get(`/${dashboard.token}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toBe(
      `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self' ws://127.0.0.1:${dashboard.port}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['cache-control']).toBe('no-store');
    const js = await get(`/${dashboard.token}/assets/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toContain('text/javascript');
    const head = await get(`/${dashboard.token}/`, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const bare = await get(`/${dashboard.token}`);
    expect(bare.status).toBe(308);
    expect(bare.headers.location).toBe(`/${dashboard.token}/`);
  });

  it('refuses requests without the token, with a wrong one, or for another Host', async () => {
    expect((await get('/')).status).toBe(403);
    expect((await get('/assets/app.js')).status).toBe(403);
    expect((await get(`/${'A'.repeat(dashboard.token.length)}/`)).status).toBe(403);
    expect((await get(`/${dashboard.token}x/`)).status).toBe(403);
    expect((await get(`/${dashboard.token}/`, { Host: 'attacker.example' })).status).toBe(421);
    expect((await get(`/${dashboard.token}/`, { Host: `localhost:${dashboard.port}` })).status).toBe(200);
    expect((await get(`/${dashboard.token}/`, {}, 'POST')).status).toBe(405);
  });

  it('never serves files outside the UI directory', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%00', '/%E0%A4%A']) {
      const res = await get(`/${dashboard.token}${p}`);
      expect(res.status, p).toBe(404);
      expect(res.body).not.toContain('outside the UI directory');
    }
  });

  it('accepts WebSockets only with the token and this page as Origin', async () => {
    const origin = base.origin;
    const refused = (url: string, o: string) =>
      connect(url, o).then(
        (c) => (c.ws.close(), false),
        () => true,
      );
    expect(await refused(`ws://${base.host}/ws`, origin)).toBe(true);
    expect(await refused(`ws://${base.host}/${'B'.repeat(dashboard.token.length)}/ws`, origin)).toBe(true);
    expect(await refused(`ws://${base.host}/${dashboard.token}/ws`, 'http://attacker.example')).toBe(true);
    expect(await refused(`ws://${base.host}/${dashboard.token}/other`, origin)).toBe(true);
    expect(await refused(`ws://${base.host}/${dashboard.token}/ws`, origin)).toBe(false);
  });

  it('refuses to bind a non-loopback address unless allowed', async () => {
    await expect(
      startDashboard({
        host: '0.0.0.0',
        port: 0,
        uiDir: dir,
        dispatcher: { channels: [], invoke: () => Promise.reject(new Error('unused')), send: () => {} },
      }),
    ).rejects.toBeInstanceOf(RemoteBindRefused);
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('127.8.9.10')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    for (const h of ['0.0.0.0', '192.168.1.2', '::', '127.example.com', '1270.0.0.1'])
      expect(isLoopbackHost(h), h).toBe(false);
  });

  it('compares tokens exactly', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abc', 'abd')).toBe(false);
    expect(tokenMatches('abc', 'abcd')).toBe(false);
    expect(tokenMatches('abc', '')).toBe(false);
    expect(splitTokenPath('/tok/ws')).toEqual({ token: 'tok', rest: '/ws' });
    expect(splitTokenPath('/')).toBeNull();
  });
});

describe('WebSocket bridge', () => {
  it('carries the contract: snapshot, validation errors, results without a value, and broadcasts', async () => {
    const wsUrl = `ws://${base.host}/${dashboard.token}/ws`;
    const a = await connect(wsUrl, base.origin);
    const b = await connect(wsUrl, base.origin);
    try {
      const snap = await a.call('state.get');
      expect(snap.result.ok).toBe(true);
      expect(snap.result.ok && (snap.result.value as { app: { shell: string } }).app.shell).toBe('dashboard');

      const bad = await a.call('settings.set', { keepaliveIntervalMs: 1 });
      expect(bad.result).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
      const unknown = await a.call('engine.selfDestruct');
      expect(unknown.result).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
      const stop = await a.call('boost.stop');
      expect(stop.result).toEqual({ ok: true });

      const saved = await a.call('settings.set', { fecLevel: 'strong' });
      expect(saved.result.ok).toBe(true);
      await waitFor(
        () => b.frames.some((f) => f.t === 'notify' && f.ch === 'settings.changed'),
        5000,
        'broadcast to the other client',
      );
      const change = b.frames.find((f) => f.t === 'notify' && f.ch === 'settings.changed');
      expect(change?.t === 'notify' && (change.payload as { fecLevel: string }).fecLevel).toBe('strong');
      expect(a.invalid).toEqual([]);
      expect(b.invalid).toEqual([]);
    } finally {
      a.ws.close();
      b.ws.close();
    }
  });

  it('counts and drops malformed frames; the socket stays usable', async () => {
    const c = await connect(`ws://${base.host}/${dashboard.token}/ws`, base.origin);
    try {
      const before = dashboard.malformedFrames();
      for (const junk of [
        'not json',
        '{"t":"invoke"}',
        '[1,2]',
        '{"t":"invoke","id":1,"ch":"state.get","x":1}',
      ])
        c.ws.send(junk);
      c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
      const snap = await c.call('state.get');
      expect(snap.result.ok).toBe(true);
      expect(dashboard.malformedFrames() - before).toBe(5);
    } finally {
      c.ws.close();
    }
  });
});
