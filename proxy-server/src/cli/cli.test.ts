import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { Flag } from '@lightspeed/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { TunnelClient } from '../testing/tunnel-client.js';
import { startEchoServer } from '../testing/udp-echo-server.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'proxy-server/bin/lightspeed-proxy.js');
const dir = mkdtempSync(join(tmpdir(), 'ls-proxy-cli-'));
const children: ChildProcess[] = [];

beforeAll(() => {
  // The CLI runs from dist/: build it (other packages' type errors must not stop the emit check below).
  spawnSync('npx', ['tsc', '-b', 'proxy-server'], { cwd: root, stdio: 'ignore' });
  expect(existsSync(join(root, 'proxy-server/dist/cli/main.js'))).toBe(true);
}, 180_000);
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function config(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const LAB = `[server]
node_id = "cli-test"
data_bind = "127.0.0.1:0"
health_bind = "127.0.0.1:0"
control_bind = "127.0.0.1:0"
[security]
require_auth = false
allow_destinations = ["127.0.0.0/8"]
`;

describe('lightspeed-proxy CLI', () => {
  it('prints actionable help', () => {
    const r = cli('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage:');
    expect(r.stdout).toContain('check-config FILE');
    expect(r.stdout).toContain('--data-bind');
  });

  it('exits 2 on bad usage with a pointer to --help', () => {
    for (const args of [[], ['--bogus'], ['serve'], ['check-config'], ['--config']]) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/lightspeed-proxy: /);
      expect(r.stderr).toContain('--help');
    }
  });

  it('check-config accepts the shipped example and names the bad key of a broken file', () => {
    const ok = cli('check-config', join(root, 'proxy-server/config.example.toml'));
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('config OK');
    const bad = cli(
      'check-config',
      config('bad.toml', '[security]\nallow_destinations = ["127.0.0.0/8", "10.0.0.0/40"]\n'),
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('security.allow_destinations[1]');
    expect(bad.stderr).toContain('prefix length');
  });

  it('check-config lists every bad key, warns about an open relay and outside /metrics, prints JSON only on --print', () => {
    const example = join(root, 'proxy-server/config.example.toml');
    const quiet = cli('check-config', example);
    expect(quiet.stdout.trim()).toBe(`config OK: ${example}`); // the unit runs it on every start
    expect(quiet.stderr).toBe('');
    const printed = cli('check-config', example, '--print');
    expect(printed.status).toBe(0);
    expect(JSON.parse(printed.stdout.slice(0, printed.stdout.lastIndexOf('}') + 1))).toHaveProperty('server');
    const bad = cli(
      'check-config',
      config(
        'many.toml',
        '[server]\nhealth_bind = "nope"\n[rate_limit]\npps = 0\nbsp = 5\n[log]\nlevel = "loud"\n',
      ),
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('4 problems');
    for (const key of ['server.health_bind', 'rate_limit.pps', 'rate_limit.bsp', 'log.level'])
      expect(bad.stderr).toContain(key);
    const open = cli(
      'check-config',
      config('open.toml', '[server]\nhealth_bind = "0.0.0.0:8080"\n[security]\nrequire_auth = false\n'),
    );
    expect(open.status).toBe(0);
    expect(open.stderr).toMatch(/^warning: security\.require_auth: /m);
    expect(open.stderr).toMatch(/^warning: server\.health_bind: .*\/metrics/m);
  });

  it('logs levels as strings, with the journal priority prefix when stdout is the journal stream', async () => {
    const runOnce = async (journal: boolean): Promise<string[]> => {
      const out = join(dir, `log-${journal}.txt`);
      writeFileSync(out, '');
      const fd = openSync(out, 'a');
      const st = fstatSync(fd);
      const env = { ...process.env, JOURNAL_STREAM: journal ? `${st.dev}:${st.ino}` : '' };
      const child = spawn(process.execPath, [bin, '--config', config('j.toml', LAB)], {
        cwd: root,
        env,
        stdio: ['ignore', fd, 'ignore'],
      });
      closeSync(fd);
      children.push(child);
      const deadline = Date.now() + 10_000;
      while (!readFileSync(out, 'utf8').includes('relay started') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      return readFileSync(out, 'utf8').trim().split('\n');
    };
    const plain = await runOnce(false);
    const started = plain.find((l) => l.includes('relay started'))!;
    expect(JSON.parse(started)).toMatchObject({ level: 'info', msg: 'relay started' });
    const journal = await runOnce(true);
    expect(journal.find((l) => l.includes('relay started'))).toMatch(/^<6>\{"level":"info"/);
    for (const line of journal)
      expect(line).toMatch(/^<[2-7]>\{"level":"(fatal|error|warn|info|debug|trace)"/);
  });

  it('firewall: usage and config errors exit 2, disabled is a no-op, a missing nft is named', () => {
    for (const args of [
      ['firewall'],
      ['firewall', 'apply'],
      ['firewall', 'flush'],
      ['firewall', 'remove', 'x'],
    ]) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('--help');
    }
    const badFw = config('fw-bad.toml', '[firewall]\nenabled = true\nper_source_pps = "lots"\n');
    for (const args of [
      ['check-config', badFw],
      ['firewall', 'apply', '--config', badFw],
    ]) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('firewall.per_source_pps');
    }
    // Without nft on PATH, so nothing here can touch this host's ruleset: disabled is a clean no-op
    // (the systemd unit runs it on every start), enabled says what to install.
    const noNftEnv = { cwd: root, encoding: 'utf8' as const, env: { ...process.env, PATH: '/nonexistent' } };
    const offFile = config('fw-off.toml', '[firewall]\nenabled = false\n');
    const off = spawnSync(process.execPath, [bin, 'firewall', 'apply', '--config', offFile], noNftEnv);
    expect(off.status).toBe(0);
    expect(off.stdout).toContain('nothing applied');
    const on = config('fw-on.toml', '[server]\ndata_bind = "127.0.0.1:4434"\n[firewall]\nenabled = true\n');
    const noNft = spawnSync(process.execPath, [bin, 'firewall', 'apply', '--config', on], noNftEnv);
    expect(noNft.status).toBe(1);
    expect(noNft.stderr).toContain('apt-get install nftables');
  });

  it('refuses to start on a bad config or a bad override, naming it, and exits 2', () => {
    const badKey = cli('--config', config('typo.toml', '[rate_limit]\npps = 100\nbsp = 5\n'));
    expect(badKey.status).toBe(2);
    expect(badKey.stderr).toContain('rate_limit.bsp');
    const badFlag = cli('--config', config('lab.toml', LAB), '--data-bind', 'nowhere');
    expect(badFlag.status).toBe(2);
    expect(badFlag.stderr).toContain('--data-bind');
    const badLevel = cli('--config', config('lab.toml', LAB), '--log-level', 'chatty');
    expect(badLevel.status).toBe(2);
    expect(badLevel.stderr).toContain('--log-level');
  });

  it('relays, then on SIGTERM sends FIN to clients and exits 0 within 2 s', async () => {
    const echo = await startEchoServer();
    const child = spawn(process.execPath, [bin, '--config', config('run.toml', LAB), '--log-level', 'info'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const lines = createInterface({ input: child.stdout });
    const started = await new Promise<{ data_port: number; health_port: number }>((resolve, reject) => {
      lines.on('line', (line) => {
        const entry = JSON.parse(line) as { msg?: string; data_port: number; health_port: number };
        if (entry.msg === 'relay started') resolve(entry);
      });
      child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    const client = await TunnelClient.open(started.data_port);
    try {
      await client.send(client.v1(Buffer.from('through the cli'), { dstPort: echo.port }));
      const [reply] = await client.waitFor((p) => p.header.flags === 0);
      expect(reply!.payload.toString()).toBe('through the cli');
      const health = (await (await fetch(`http://127.0.0.1:${started.health_port}/health`)).json()) as {
        sessions: number;
      };
      expect(health.sessions).toBe(1);

      const t0 = Date.now();
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      const [fin] = await client.waitFor((p) => p.header.flags === Flag.FIN);
      expect(fin!.header.version).toBe(1);
      expect(await exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(2000);
    } finally {
      await client.close();
      await echo.close();
    }
  });
});
