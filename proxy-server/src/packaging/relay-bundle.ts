/**
 * The relay as one directory that runs with Node alone: the CLI and every JS dependency in one
 * esbuild bundle, plus the one native package it loads at run time (@matrixai/quic's prebuilt
 * addon for this platform). No npm install, none of the desktop app's dependencies.
 *
 *   <out>/package.json                      name, version (VERSION reads it), "type": "module"
 *   <out>/bin/lightspeed-proxy.js           the bundle (shebang: runs as ./bin/lightspeed-proxy.js too)
 *   <out>/node_modules/@matrixai/quic-<platform>-<arch>/   the prebuilt QUIC addon
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

/** proxy-server/ (this file is proxy-server/{src,dist}/packaging/relay-bundle.*). */
export const PROXY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The npm package holding @matrixai/quic's native addon for this machine. */
export function quicNativePackage(platform = process.platform, arch = process.arch): string {
  return `@matrixai/quic-${platform}-${arch}`;
}

export interface BundleResult {
  dir: string;
  version: string;
  /** Bytes of the JS bundle. */
  bundleBytes: number;
}

/** Where Node would find `name` from proxy-server/ (workspace or hoisted node_modules). */
function findPackageDir(name: string): string {
  for (let dir = PROXY_ROOT; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir)
      throw new Error(`${name} is not installed (needed for this platform's QUIC addon)`);
  }
}

/** Builds the bundle into `outDir` (emptied first) from proxy-server/dist (run `tsc -b proxy-server` first). */
export async function buildRelayBundle(outDir: string): Promise<BundleResult> {
  const entry = join(PROXY_ROOT, 'dist/cli/main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run "npx tsc -b proxy-server" first`);
  const pkg = JSON.parse(readFileSync(join(PROXY_ROOT, 'package.json'), 'utf8')) as { version: string };
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'bin'), { recursive: true });
  const outfile = join(outDir, 'bin/lightspeed-proxy.js');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // The addon is loaded with createRequire at run time and ships beside the bundle.
    external: ['@matrixai/quic-*'],
    // CommonJS dependencies bundled into ESM still call require() for Node's built-ins.
    banner: {
      js:
        '#!/usr/bin/env node\n' +
        "import { createRequire as __lsCreateRequire } from 'node:module';\n" +
        'const require = __lsCreateRequire(import.meta.url);',
    },
    logLevel: 'error',
    legalComments: 'eof',
  });
  chmodSync(outfile, 0o755);
  writeFileSync(
    join(outDir, 'package.json'),
    `${JSON.stringify({ name: 'lightspeed-relay', version: pkg.version, private: true, type: 'module' }, null, 2)}\n`,
  );
  const native = quicNativePackage();
  cpSync(findPackageDir(native), join(outDir, 'node_modules', native), {
    recursive: true,
    dereference: true,
  });
  return { dir: outDir, version: pkg.version, bundleBytes: readFileSync(outfile).length };
}

/**
 * `npm run relay:bundle`: the bundle as a tarball for hosts without dpkg,
 * dist/lightspeed-relay-<version>-<platform>-<arch>.tar.gz (one top directory; run
 * `node lightspeed-relay/bin/lightspeed-proxy.js --config FILE` from where it is unpacked). Prints its path.
 */
export async function buildRelayTarball(outDir: string): Promise<string> {
  const stage = join(outDir, 'lightspeed-relay');
  const { version } = await buildRelayBundle(stage);
  const tarball = join(outDir, `lightspeed-relay-${version}-${process.platform}-${process.arch}.tar.gz`);
  const r = spawnSync('tar', ['-czf', tarball, '-C', outDir, '--owner=0', '--group=0', 'lightspeed-relay'], {
    encoding: 'utf8',
  });
  if (r.error ?? r.status !== 0) throw new Error(`tar failed: ${r.error?.message ?? r.stderr.trim()}`);
  rmSync(stage, { recursive: true, force: true });
  return tarball;
}

if (
  process.argv[1] !== undefined &&
  resolve(process.argv[1]) === resolve(PROXY_ROOT, 'dist/packaging/relay-bundle.js')
) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const out = resolve(values.out ?? join(PROXY_ROOT, '../dist'));
  mkdirSync(out, { recursive: true });
  buildRelayTarball(out).then(
    (path) => process.stdout.write(`${path}\n`),
    (err: unknown) => {
      process.stderr.write(`relay:bundle: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
