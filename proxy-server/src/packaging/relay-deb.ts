/**
 * `npm run relay:deb`: the relay as a Debian package, built with dpkg-deb from the self-contained
 * bundle (relay-bundle.ts). Installs
 *
 *   /usr/lib/lightspeed-relay/               the bundle (Node is the only dependency)
 *   /usr/bin/lightspeed-proxy                symlink to its CLI
 *   /lib/systemd/system/lightspeed-proxy.service
 *   /etc/lightspeed/relay.toml               conffile (config.example.toml, host-specific examples off)
 *   the lightspeed system user, and /var/lib/lightspeed-proxy (its state: the control certificate)
 *
 * Usage: node proxy-server/dist/packaging/relay-deb.js [--out DIR]   (default: <repo>/dist)
 * Prints the path of the .deb.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { buildRelayBundle, PROXY_ROOT } from './relay-bundle.js';

export const PACKAGE = 'lightspeed-relay';
export const UNIT = 'lightspeed-proxy.service';
export const LIB_DIR = '/usr/lib/lightspeed-relay';
export const CONFIG_PATH = '/etc/lightspeed/relay.toml';
export const STATE_DIR = '/var/lib/lightspeed-proxy';
export const USER = 'lightspeed';

/** Debian's name for this machine's architecture (the bundle carries a native addon). */
function debArch(): string {
  const r = spawnSync('dpkg', ['--print-architecture'], { encoding: 'utf8' });
  if (r.status === 0) return r.stdout.trim();
  const byNode: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'armhf', ia32: 'i386' };
  return byNode[process.arch] ?? process.arch;
}

/** relay.toml: the documented example, with the lines that only make sense on one host commented out. */
export function relayToml(example: string): string {
  return example
    .replace(/^(\S.*#\s*example\b.*)$/gm, '# $1')
    .replace(/^# (cert_dir = ")[^"]*(")/m, `$1${STATE_DIR}$2`);
}

const POSTINST = `#!/bin/sh
set -e
if [ "$1" = configure ]; then
  if ! getent passwd ${USER} >/dev/null; then
    useradd --system --user-group --home-dir ${STATE_DIR} --no-create-home \\
      --shell /usr/sbin/nologin --comment "LightSpeed relay" ${USER}
  fi
  install -d -m 0700 -o ${USER} -g ${USER} ${STATE_DIR}
  # The relay (user ${USER}) reads its config; nobody else needs to.
  chgrp ${USER} ${CONFIG_PATH}
  chmod 0640 ${CONFIG_PATH}
fi
if command -v deb-systemd-helper >/dev/null 2>&1; then
  deb-systemd-helper unmask ${UNIT} >/dev/null || true
  if deb-systemd-helper --quiet was-enabled ${UNIT}; then
    deb-systemd-helper enable ${UNIT} >/dev/null || true
  else
    deb-systemd-helper update-state ${UNIT} >/dev/null || true
    deb-systemd-helper enable ${UNIT} >/dev/null || true
  fi
fi
if [ -d /run/systemd/system ]; then
  systemctl --system daemon-reload >/dev/null || true
  systemctl restart ${UNIT} || echo "${PACKAGE}: ${UNIT} did not start: journalctl -u ${UNIT}" >&2
else
  echo "${PACKAGE}: systemd is not running; start the relay with: ${LIB_DIR}/bin/lightspeed-proxy.js --config ${CONFIG_PATH}" >&2
fi
exit 0
`;

const PRERM = `#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
  systemctl stop ${UNIT} >/dev/null 2>&1 || true
fi
exit 0
`;

const POSTRM = `#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
  systemctl --system daemon-reload >/dev/null || true
fi
if [ "$1" = purge ]; then
  if command -v deb-systemd-helper >/dev/null 2>&1; then
    deb-systemd-helper purge ${UNIT} >/dev/null || true
  fi
  rm -rf ${STATE_DIR}
  if getent passwd ${USER} >/dev/null; then
    userdel ${USER} >/dev/null 2>&1 || true
  fi
fi
exit 0
`;

function duKiB(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) bytes += statSync(join(entry.parentPath, entry.name)).size;
  }
  return Math.ceil(bytes / 1024);
}

function write(path: string, text: string, mode = 0o644): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, mode);
}

/** Builds the .deb into `outDir`; returns its path. */
export async function buildRelayDeb(outDir: string): Promise<string> {
  const stage = join(outDir, `${PACKAGE}-root`);
  rmSync(stage, { recursive: true, force: true });
  const { version } = await buildRelayBundle(join(stage, LIB_DIR));
  mkdirSync(join(stage, 'usr/bin'), { recursive: true });
  symlinkSync('../lib/lightspeed-relay/bin/lightspeed-proxy.js', join(stage, 'usr/bin/lightspeed-proxy'));
  const unit = readFileSync(join(PROXY_ROOT, 'systemd', UNIT), 'utf8');
  write(join(stage, 'lib/systemd/system', UNIT), unit);
  const example = readFileSync(join(PROXY_ROOT, 'config.example.toml'), 'utf8');
  write(join(stage, CONFIG_PATH), relayToml(example));
  const doc = join(stage, 'usr/share/doc', PACKAGE);
  write(join(doc, 'config.example.toml'), example);
  write(join(doc, 'README.md'), readFileSync(join(PROXY_ROOT, 'README.md'), 'utf8'));
  write(
    join(doc, 'copyright'),
    'LightSpeed relay. License: MIT. The bundle includes npm packages under their own licenses\n' +
      '(MIT, ISC, Apache-2.0); their notices are at the end of lib/lightspeed-relay/bin/lightspeed-proxy.js.\n',
  );
  const arch = debArch();
  const control = [
    `Package: ${PACKAGE}`,
    `Version: ${version}`,
    `Architecture: ${arch}`,
    'Maintainer: LightSpeed <relay@lightspeed.invalid>',
    'Depends: nodejs (>= 20.19), passwd',
    'Recommends: nftables',
    'Section: net',
    'Priority: optional',
    `Installed-Size: ${duKiB(stage)}`,
    'Description: LightSpeed game traffic relay (lightspeed-proxy)',
    ' The relay node of LightSpeed: forwards game UDP traffic over the LightSpeed tunnel',
    ' (FEC, QUIC control plane, Prometheus metrics) as the lightspeed-proxy systemd service.',
    ' Configuration: /etc/lightspeed/relay.toml.',
    '',
  ].join('\n');
  write(join(stage, 'DEBIAN/control'), control);
  write(join(stage, 'DEBIAN/conffiles'), `${CONFIG_PATH}\n`);
  write(join(stage, 'DEBIAN/postinst'), POSTINST, 0o755);
  write(join(stage, 'DEBIAN/prerm'), PRERM, 0o755);
  write(join(stage, 'DEBIAN/postrm'), POSTRM, 0o755);
  const deb = join(outDir, `${PACKAGE}_${version}_${arch}.deb`);
  const r = spawnSync('dpkg-deb', ['--root-owner-group', '--build', stage, deb], { encoding: 'utf8' });
  if (r.error) throw new Error(`dpkg-deb: ${r.error.message} (apt-get install dpkg)`);
  if (r.status !== 0) throw new Error(`dpkg-deb failed: ${r.stderr.trim()}`);
  rmSync(stage, { recursive: true, force: true });
  return deb;
}

if (
  process.argv[1] !== undefined &&
  resolve(process.argv[1]) === resolve(PROXY_ROOT, 'dist/packaging/relay-deb.js')
) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const out = resolve(values.out ?? join(PROXY_ROOT, '../dist'));
  mkdirSync(out, { recursive: true });
  buildRelayDeb(out).then(
    (deb) => process.stdout.write(`${deb}\n`),
    (err: unknown) => {
      process.stderr.write(`relay:deb: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
