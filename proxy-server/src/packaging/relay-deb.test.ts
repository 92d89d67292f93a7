/**
 * The relay bundle and the .deb, for real: the bundle runs from a directory outside the repository with
 * no node_modules but its own; the .deb (built by the same script as `npm run relay:deb`) is installed
 * into this machine with dpkg -i, its files, user and conffile are checked, and the relay is started
 * exactly as the unit's ExecStartPre/ExecStart lines say, as the lightspeed user (setpriv), until
 * /health answers. There is no systemd to boot here (PID 1 is not systemd), so the unit's command lines
 * are run by hand and the unit itself is checked with systemd-analyze verify where installed. Installing
 * needs root: that part is skipped when not root (CI runs as root); afterAll purges the package.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const isRoot = process.getuid?.() === 0;
const work = mkdtempSync(join(tmpdir(), 'ls-relay-deb-'));
const PKG = 'lightspeed-relay';
const UNIT = '/lib/systemd/system/lightspeed-proxy.service';
const CONFIG = '/etc/lightspeed/relay.toml';

beforeAll(() => {
  // The bundle is built from dist/ (other packages' type errors must not stop the emit check below).
  spawnSync('npx', ['tsc', '-b', 'proxy-server'], { cwd: root, stdio: 'ignore' });
  expect(existsSync(join(root, 'proxy-server/dist/packaging/relay-deb.js'))).toBe(true);
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(cmd: string, args: string[], opts: { cwd?: string } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000, ...opts });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, error: r.error };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

describe('relay bundle', () => {
  it('runs from a directory of its own (npm run relay:bundle, unpacked): no repository, no npm install', async () => {
    // As `npm run relay:bundle` builds it: a tarball, unpacked elsewhere.
    const built = run(process.execPath, [
      join(root, 'proxy-server/dist/packaging/relay-bundle.js'),
      '--out',
      work,
    ]);
    expect(built.status, built.stderr).toBe(0);
    const tarball = built.stdout.trim();
    expect(tarball).toMatch(/lightspeed-relay-\d+\.\d+\.\d+-\w+-\w+\.tar\.gz$/);
    const unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    expect(run('tar', ['-xzf', tarball, '-C', unpacked]).status).toBe(0);
    const dir = join(unpacked, 'lightspeed-relay');
    // Only the bundle and the QUIC addon package: none of the desktop app's dependencies.
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toContain('"version"');
    const modules = run('find', [join(dir, 'node_modules'), '-name', 'package.json'])
      .stdout.trim()
      .split('\n');
    expect(modules).toEqual([
      join(dir, `node_modules/@matrixai/quic-${process.platform}-${process.arch}/package.json`),
    ]);
    const version = run(process.execPath, [join(dir, 'bin/lightspeed-proxy.js'), '--version'], { cwd: work });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const check = run(
      process.execPath,
      [join(dir, 'bin/lightspeed-proxy.js'), 'check-config', join(root, 'proxy-server/config.example.toml')],
      { cwd: work },
    );
    expect(check.status, check.stderr).toBe(0);
    // The QUIC control plane loads its native addon from the bundle's node_modules.
    const toml = join(work, 'bundle.toml');
    const healthPort = await freePort();
    writeFileSync(
      toml,
      `[server]\ndata_bind = "127.0.0.1:0"\ncontrol_bind = "127.0.0.1:0"\nhealth_bind = "127.0.0.1:${healthPort}"\n[control]\ncert_dir = "${work}"\n`,
    );
    const child = spawn(process.execPath, [join(dir, 'bin/lightspeed-proxy.js'), '--config', toml], {
      cwd: work,
      stdio: 'ignore',
    });
    try {
      const health = await waitForHealth(healthPort, child, (h) => h.control_port !== undefined);
      expect(health.control_port).toBeGreaterThan(0);
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);
});

/** Polls /health until it answers and `ready` holds (the control plane starts after the HTTP server). */
async function waitForHealth(
  port: number,
  child: ChildProcess,
  ready: (health: Record<string, unknown>) => boolean = () => true,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`relay exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      const health = res.status === 200 ? ((await res.json()) as Record<string, unknown>) : null;
      if (health !== null && ready(health)) return health;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('no (ready) /health answer within 15 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The unit's `Key=` values, in order. */
function unitValues(unit: string, key: string): string[] {
  return unit
    .split('\n')
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));
}

/** An Exec line's command: systemd's prefixes (`+`, `-`) dropped, split on spaces (the unit quotes nothing). */
function command(line: string): string[] {
  return line.replace(/^[-+!@:]+/, '').split(' ');
}

describe.skipIf(!isRoot)('relay .deb installed with dpkg -i (root only: installs into this machine)', () => {
  let deb = '';
  let relay: ChildProcess | null = null;

  beforeAll(() => {
    if (run('dpkg-query', ['-W', PKG]).status === 0) run('dpkg', ['-P', PKG]); // a leftover from a killed run
    const built = run(process.execPath, [
      join(root, 'proxy-server/dist/packaging/relay-deb.js'),
      '--out',
      work,
    ]);
    expect(built.status, built.stderr).toBe(0);
    deb = built.stdout.trim();
    expect(deb).toMatch(/lightspeed-relay_\d+\.\d+\.\d+_\w+\.deb$/);
  }, 120_000);
  afterAll(() => {
    if (relay?.exitCode === null) relay.kill('SIGKILL');
    run('dpkg', ['-P', PKG]);
  });

  it('installs the bundle, the unit, the lightspeed user and /etc/lightspeed/relay.toml as a conffile', () => {
    const install = run('dpkg', ['-i', deb]);
    expect(install.status, install.stderr).toBe(0);
    expect(run('dpkg-query', ['-W', '-f=${Status}', PKG]).stdout).toBe('install ok installed');
    for (const path of [
      UNIT,
      CONFIG,
      '/usr/lib/lightspeed-relay/bin/lightspeed-proxy.js',
      '/usr/bin/lightspeed-proxy',
    ])
      expect(existsSync(path), path).toBe(true);
    const user = run('getent', ['passwd', 'lightspeed']).stdout.split(':');
    expect(Number(user[2])).toBeLessThan(1000); // a system user
    expect(user[6]?.trim()).toBe('/usr/sbin/nologin');
    expect(run('dpkg-query', ['-W', '-f=${Conffiles}', PKG]).stdout).toContain(CONFIG);
    const conf = statSync(CONFIG);
    expect(conf.mode & 0o777).toBe(0o640);
    expect(conf.gid).toBe(Number(user[3]));
    const state = statSync('/var/lib/lightspeed-proxy');
    expect([state.uid, state.mode & 0o777]).toEqual([Number(user[2]), 0o700]);
    expect(run('/usr/bin/lightspeed-proxy', ['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('passes systemd-analyze verify (where systemd is installed)', () => {
    const probe = run('systemd-analyze', ['--version']);
    if (probe.error) {
      console.warn('systemd-analyze not installed: unit not verified (apt-get install systemd)');
      return;
    }
    const r = run('systemd-analyze', ['verify', UNIT]);
    expect(r.stderr).not.toMatch(/lightspeed-proxy\.service/);
    expect(r.status, r.stderr).toBe(0);
  });

  it('starts as the unit says, as the lightspeed user, and answers /health', async () => {
    const unit = readFileSync(UNIT, 'utf8');
    const asUser = ['--reuid=lightspeed', '--regid=lightspeed', '--init-groups', '--'];
    const cwd = unitValues(unit, 'WorkingDirectory')[0]!;
    // The operator's edit: free ports here (CI runs other relays), and a region. Kept across reinstall.
    const healthPort = await freePort();
    const edited = readFileSync(CONFIG, 'utf8')
      .replace(/^data_bind = .*$/m, 'data_bind = "127.0.0.1:0"')
      .replace(/^control_bind = .*$/m, 'control_bind = "127.0.0.1:0"')
      .replace(/^health_bind = .*$/m, `health_bind = "127.0.0.1:${healthPort}"`)
      .replace(/^# region = .*$/m, 'region = "ci"');
    writeFileSync(CONFIG, edited);
    expect(run('dpkg', ['-i', deb]).status).toBe(0); // a reinstall keeps the operator's conffile
    expect(readFileSync(CONFIG, 'utf8')).toBe(edited);

    const [checkLine, firewallLine] = unitValues(unit, 'ExecStartPre');
    const check = run('setpriv', [...asUser, ...command(checkLine!)], { cwd });
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toBe(`config OK: ${CONFIG}\n`); // one line in the journal, not the whole config
    expect(check.stderr).toBe('');
    const firewall = run(command(firewallLine!)[0]!, command(firewallLine!).slice(1), { cwd }); // "+": root
    expect(firewall.status, firewall.stderr).toBe(0);
    expect(firewall.stdout).toContain('nothing applied');

    const [cmd, ...args] = command(unitValues(unit, 'ExecStart')[0]!);
    relay = spawn('setpriv', [...asUser, cmd!, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    relay.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    relay.stderr!.resume();
    const health = await waitForHealth(healthPort, relay, (h) => h.control_port !== undefined);
    // The relay logs "relay started" once it is up and handles SIGTERM (the logger writes asynchronously).
    const deadline = Date.now() + 10_000;
    while (!log.includes('"msg":"relay started"') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(log).toMatch(/^\{"level":"info",.*"msg":"relay started"/m);
    expect(health).toMatchObject({ status: 'ok', node_id: hostname(), region: 'ci' });
    // Unprivileged: the relay process runs as lightspeed and keeps its certificate in the state directory.
    const uid = run('id', ['-u', 'lightspeed']).stdout.trim();
    expect(readFileSync(`/proc/${relay.pid}/status`, 'utf8')).toMatch(new RegExp(`^Uid:\\s+${uid}\\s`, 'm'));
    expect(statSync('/var/lib/lightspeed-proxy/control-key.pem').uid).toBe(Number(uid));
    const exited = new Promise<number | null>((resolve) => relay!.once('exit', resolve));
    relay.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);

  it('dpkg -P removes the files, the state and the user', () => {
    expect(run('dpkg', ['-P', PKG]).status).toBe(0);
    for (const path of [UNIT, CONFIG, '/usr/lib/lightspeed-relay', '/var/lib/lightspeed-proxy'])
      expect(existsSync(path), path).toBe(false);
    expect(run('getent', ['passwd', 'lightspeed']).status).not.toBe(0);
  });
});
