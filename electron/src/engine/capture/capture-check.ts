/**
 * `lightspeed capture --check` and the app's capture readiness: each prerequisite ok or why not, with the
 * command that fixes it.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

import { CAP_NET_ADMIN, CAP_NET_RAW, MACOS_DETAIL, loadNative, parseCapabilitySet } from '@lightspeed/native';

import type { CaptureCheck } from './capture-backend.js';
import { winDivertDll } from './platform-backend.js';
import { run } from './linux/system-commands.js';

/** How to run capture with the capabilities it needs, and only those. */
export const PRIVILEGE_FIX =
  'sudo lightspeed capture … (capture then drops to your user, keeping only CAP_NET_ADMIN and CAP_NET_RAW); from the desktop app, capture asks through pkexec';

/** A scratch table with a tproxy rule, checked by the kernel (`nft -c`) and never installed. */
const TPROXY_PROBE = `table inet lightspeed_check {
\tchain prerouting {
\t\ttype filter hook prerouting priority mangle; policy accept;
\t\tmeta l4proto udp meta mark 0x4c53 tproxy ip to 127.0.0.1:9 accept
\t}
}
`;

export async function checkCapture(platform: NodeJS.Platform = process.platform): Promise<CaptureCheck[]> {
  if (platform === 'darwin') return [{ name: 'platform', ok: false, detail: MACOS_DETAIL }];
  if (platform !== 'linux' && platform !== 'win32') {
    return [{ name: 'platform', ok: false, detail: `capture is not supported on ${platform}` }];
  }
  const checks: CaptureCheck[] = [];
  const native = loadNative();
  checks.push(
    native.ok
      ? { name: 'native-module', ok: true, detail: 'loaded' }
      : {
          name: 'native-module',
          ok: false,
          detail: `${native.reason}: ${native.detail}`,
          fix: 'apt-get install g++ make python3 libpcap-dev && npm rebuild @lightspeed/native',
        },
  );
  if (platform === 'win32') {
    const dll = winDivertDll();
    checks.push(
      existsSync(dll)
        ? { name: 'windivert', ok: true, detail: dll }
        : {
            name: 'windivert',
            ok: false,
            detail: `${dll} is missing`,
            fix: 'reinstall LightSpeed (the installer ships WinDivert)',
          },
    );
    return checks; // Administrator rights are asked for by the helper when capture starts (UAC)
  }
  let caps: bigint | null = null;
  try {
    caps = parseCapabilitySet(await readFile('/proc/self/status', 'utf8'));
  } catch {
    // not procfs: reported below
  }
  const has = (cap: number): boolean => caps !== null && ((caps >> BigInt(cap)) & 1n) === 1n;
  const privileged = has(CAP_NET_ADMIN);
  const missing = [
    ...(has(CAP_NET_ADMIN) ? [] : ['CAP_NET_ADMIN']),
    ...(has(CAP_NET_RAW) ? [] : ['CAP_NET_RAW']),
  ];
  checks.push(
    missing.length === 0
      ? { name: 'privileges', ok: true, detail: 'CAP_NET_ADMIN and CAP_NET_RAW held' }
      : {
          name: 'privileges',
          ok: false,
          detail: `missing ${missing.join(' and ')} (nftables rules, policy routing and the transparent divert socket need them)`,
          fix: PRIVILEGE_FIX,
        },
  );
  let nftOk = false;
  try {
    const version = (await run('nft', ['--version'])).trim();
    nftOk = true;
    checks.push({ name: 'nft', ok: true, detail: version });
  } catch (err) {
    checks.push({ name: 'nft', ok: false, detail: (err as Error).message, fix: 'apt-get install nftables' });
  }
  if (!nftOk) checks.push({ name: 'tproxy', ok: false, detail: 'not checked: nft is missing' });
  else if (!privileged)
    checks.push({
      name: 'tproxy',
      ok: false,
      detail: 'not checked: needs CAP_NET_ADMIN',
      fix: PRIVILEGE_FIX,
    });
  else {
    try {
      await run('nft', ['-c', '-f', '-'], TPROXY_PROBE);
      checks.push({ name: 'tproxy', ok: true, detail: 'the kernel accepts nftables tproxy rules' });
    } catch (err) {
      checks.push({
        name: 'tproxy',
        ok: false,
        detail: `the kernel refused a tproxy rule: ${(err as Error).message}`,
        fix: 'modprobe nft_tproxy (a kernel built with CONFIG_NFT_TPROXY)',
      });
    }
  }
  return checks;
}
