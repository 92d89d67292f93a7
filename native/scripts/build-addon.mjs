// Builds the addon with node-gyp during `npm install` / `npm ci` (the workspace's `install` script).
// Never fails the install: when the addon cannot be built (no compiler, unsupported platform, a
// compile error), it writes build/unavailable.json with the reason and exits 0, and the app runs
// without capture mode. Set LIGHTSPEED_NATIVE_STRICT=1 to make a failed build fail the command.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { hasPcap } from './pcap-check.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const buildDir = join(root, 'build');
const strict = process.env.LIGHTSPEED_NATIVE_STRICT === '1';

function record(file, data) {
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(join(buildDir, file), `${JSON.stringify(data, null, 2)}\n`);
}

function unavailable(reason, detail) {
  rmSync(join(buildDir, 'Release', 'lightspeed_native.node'), { force: true });
  record('unavailable.json', { reason, detail, at: new Date().toISOString() });
  console.warn(`@lightspeed/native: addon not built (${reason}): ${detail}`);
  console.warn('@lightspeed/native: the app works without it; capture mode will say why it is unavailable.');
  process.exit(strict ? 1 : 0);
}

function findNodeGyp() {
  try {
    return createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    const fromNpm = process.env.npm_config_node_gyp;
    return fromNpm && existsSync(fromNpm) ? fromNpm : null;
  }
}

function hasCompiler() {
  if (process.platform === 'win32') return true; // node-gyp finds Visual Studio itself, or says why not
  const cxx = process.env.CXX || 'c++';
  return spawnSync(cxx, ['--version'], { stdio: 'ignore' }).status === 0;
}

if (process.platform !== 'linux' && process.platform !== 'win32') {
  unavailable(
    'unsupported-platform',
    `capture is not supported on ${process.platform} yet — use redirect mode`,
  );
}
if (!hasCompiler()) {
  unavailable('no-compiler', 'no C++ compiler found: apt-get install g++ make python3');
}
const nodeGyp = findNodeGyp();
if (nodeGyp === null)
  unavailable('no-node-gyp', 'node-gyp is not installed (npm install in the repository root)');

const args = [nodeGyp, 'rebuild'];
// Node's own headers next to the running binary (Debian, NodeSource, official tarballs) avoid a
// header download; otherwise node-gyp uses its cache or downloads them.
const prefix = dirname(dirname(process.execPath));
if (!process.versions.electron && existsSync(join(prefix, 'include', 'node', 'common.gypi'))) {
  args.push(`--nodedir=${prefix}`);
}
rmSync(join(buildDir, 'unavailable.json'), { force: true });
const result = spawnSync(process.execPath, args, {
  cwd: root,
  stdio: ['ignore', 'inherit', 'pipe'],
  encoding: 'utf8',
});
// node-gyp narrates on stderr ("gyp info ..."): pass on only what is worth reading (warnings, errors).
const worthReading = (result.stderr ?? '')
  .split('\n')
  .filter((line) => line !== '' && !line.startsWith('gyp info'));
if (worthReading.length > 0) process.stderr.write(`${worthReading.join('\n')}\n`);
if (result.status !== 0) {
  const lastLines = (result.stderr ?? '').trim().split('\n').slice(-8).join('\n');
  unavailable('build-failed', `node-gyp rebuild exited with ${result.status ?? result.signal}: ${lastLines}`);
}
const pcap = hasPcap();
record('build-info.json', {
  built: true,
  pcap,
  ...(pcap || process.platform !== 'linux'
    ? {}
    : { pcapReason: 'built without libpcap: apt-get install libpcap-dev' }),
  node: process.version,
  at: new Date().toISOString(),
});
console.log(
  `@lightspeed/native: addon built${process.platform === 'linux' ? ` (libpcap: ${pcap ? 'yes' : 'no'})` : ''}`,
);
