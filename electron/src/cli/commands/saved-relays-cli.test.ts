/**
 * The CLI without `--relay` uses the app's relays (the built CLI as a child process, a fresh config dir):
 * LightSpeed's registry served over real HTTP on loopback and signed with a test key, pointing at a
 * require_auth relay whose control port and certificate pin only the registry knows; the user's saved
 * relay list; and the one line that names what was tried when there is no relay.
 */
import { execFile, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startTestRelay, type Relay } from '@lightspeed/proxy-server';
import { EchoServer } from '@lightspeed/shared/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { lines } from '../../test-support/child-lines.js';
import { startTestRegistry, type TestRegistry } from '../../test-support/registry-server.js';

const BIN = fileURLToPath(new URL('../../../bin/lightspeed.js', import.meta.url));
const PATH = '/v1/registry.json';

let relay: Relay;
let echo: EchoServer;
let registry: TestRegistry;
const dirs: string[] = [];

beforeAll(async () => {
  relay = await startTestRelay({
    server: { node_id: 'reg-relay', region: 'lab' },
    security: { require_auth: true, max_sessions_per_ip: 1000 },
    control: { enabled: true },
  });
  echo = await EchoServer.start();
  registry = await startTestRegistry();
  registry.serve(PATH, [
    {
      host: '127.0.0.1',
      data_port: relay.dataPort,
      control_port: relay.controlPort!,
      cert_sha256: relay.certSha256!,
      node_id: 'reg-relay',
      region: 'lab',
    },
  ]);
  registry.fail('/down.json', 503);
});

afterAll(async () => {
  await registry?.close();
  await echo?.stop();
  await relay?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A fresh config dir (XDG_CONFIG_HOME), optionally with saved dashboard settings. */
async function configHome(settings?: object): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lightspeed-saved-relays-'));
  dirs.push(dir);
  if (settings !== undefined) {
    await mkdir(path.join(dir, 'lightspeed'));
    await writeFile(path.join(dir, 'lightspeed', 'dashboard-settings.json'), JSON.stringify(settings));
  }
  return dir;
}

function env(home: string, registryPath: string | null): NodeJS.ProcessEnv {
  return {
    ...process.env,
    XDG_CONFIG_HOME: home,
    LIGHTSPEED_REGISTRY_URL: registryPath === null ? 'off' : registry.url(registryPath),
    LIGHTSPEED_REGISTRY_KEY: registry.publicKey,
    LIGHTSPEED_SELECTOR_DIR: '',
  };
}

/** Runs the CLI to its end (asynchronously: the registry it fetches is served by this process). */
function cli(
  args: string[],
  e: NodeJS.ProcessEnv,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000, env: e }, (err, out, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, out, err: stderr });
    });
  });
}

describe('the CLI without --relay', () => {
  it("boost goes through LightSpeed's registry relay, registered with the port and pin the registry gave", async () => {
    const home = await configHome();
    const child = spawn(
      process.execPath,
      [BIN, 'boost', '--server', `127.0.0.1:${echo.port}`, '--json', '--selector', 'nearest'],
      { env: env(home, PATH), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const next = lines(child);
      const routes = JSON.parse(await next((l) => l.includes('"type":"routes"'))) as {
        routes: { localPort: number }[];
      };
      const localPort = routes.routes[0]!.localPort;
      // The relay requires a token: an echo back proves registration used the registry's control port and pin.
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      try {
        const answer = new Promise<string>((resolve) => socket.on('message', (m) => resolve(m.toString())));
        const timer = setInterval(() => socket.send('hello', localPort, '127.0.0.1'), 100);
        try {
          expect(await answer).toBe('hello');
        } finally {
          clearInterval(timer);
        }
      } finally {
        socket.close();
      }
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });

  it("probe ranks the user's saved relay list (LightSpeed's registry off)", async () => {
    const home = await configHome({
      relaySource: 'list',
      relays: [{ host: '127.0.0.1', port: relay.dataPort, id: 'saved-one' }],
      defaultRegistry: false,
    });
    const r = await cli(['probe', '--count', '3', '--json'], env(home, PATH));
    expect(r.code, r.err).toBe(0);
    const ranked = JSON.parse(r.out.trim().split('\n').pop()!) as {
      relay: { id: string };
      reachable: boolean;
    }[];
    expect(ranked.map((x) => [x.relay.id, x.reachable])).toEqual([['saved-one', true]]);
  });

  it('diagnose compares direct with the registry relays, labelled HOST:PORT', async () => {
    const home = await configHome();
    const r = await cli(
      ['diagnose', '--server', `127.0.0.1:${echo.port}`, '--count', '5', '--json'],
      env(home, PATH),
    );
    expect(r.code, r.err).toBe(0);
    const result = JSON.parse(r.out.trim().split('\n').pop()!) as {
      relays: { relay: string; rtt_ms: number | null }[];
    };
    expect(result.relays.map((x) => x.relay)).toEqual([`127.0.0.1:${relay.dataPort}`]);
    expect(result.relays[0]!.rtt_ms).not.toBeNull();
  });

  it('an unreachable registry: one line naming it and why, exit 1', async () => {
    const home = await configHome();
    const r = await cli(['boost', '--server', `127.0.0.1:${echo.port}`], env(home, '/down.json'));
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe(
      `lightspeed boost: no relay: LightSpeed's relay registry ${registry.url('/down.json')} is unreachable (HTTP 503); add one with --relay HOST:PORT or in Settings`,
    );
    expect(r.out).toBe('');
  });

  it('nothing saved and the registry off: a usage error (exit 2) naming the settings file', async () => {
    const home = await configHome();
    const file = path.join(home, 'lightspeed', 'dashboard-settings.json');
    for (const args of [['probe'], ['boost', '--server', `127.0.0.1:${echo.port}`]]) {
      const r = await cli(args, env(home, null));
      expect(r.code, r.err).toBe(2);
      expect(r.err).toContain(
        `no relay: no relay is saved in ${file}; LightSpeed's relay registry is off; add one with --relay HOST:PORT or in Settings`,
      );
    }
  });
});
