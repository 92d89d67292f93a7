/**
 * Loads the compiled addon without ever throwing: a missing build, a load failure (wrong architecture,
 * missing libpcap.so, ...) or an unsupported platform come back as a typed reason, so the rest of the
 * app keeps working and capture mode can say why it is unavailable.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { NATIVE_ABI, type NativeApi } from './native-api.js';

export type NativeUnavailableReason = 'not-built' | 'load-failed' | 'unsupported-platform';

export type NativeLoadResult =
  | { ok: true; native: NativeApi; path: string }
  | { ok: false; reason: NativeUnavailableReason; detail: string };

/**
 * The package root (native/), from src/ or dist/ alike. Bundled into the app, this file's location says
 * nothing: there LIGHTSPEED_NATIVE_PATH names the addon.
 */
export function nativePackageRoot(): string {
  try {
    return dirname(dirname(fileURLToPath(import.meta.url)));
  } catch {
    return process.cwd();
  }
}

export const MACOS_DETAIL = 'capture is not supported on macOS yet — use redirect mode';

/** Where a build puts the addon, most specific first. `LIGHTSPEED_NATIVE_PATH` overrides (packaged app). */
export function addonCandidates(
  root: string = nativePackageRoot(),
  platform: NodeJS.Platform = process.platform,
): string[] {
  const override = process.env.LIGHTSPEED_NATIVE_PATH;
  const candidates = override ? [override] : [];
  candidates.push(join(root, 'build', 'Release', 'lightspeed_native.node'));
  if (platform === 'win32') candidates.push(join(root, 'build', 'win32-x64', 'lightspeed_native.node'));
  return candidates;
}

function unavailableDetail(root: string): string {
  try {
    const recorded = JSON.parse(readFileSync(join(root, 'build', 'unavailable.json'), 'utf8')) as {
      reason?: unknown;
      detail?: unknown;
    };
    if (typeof recorded.detail === 'string') return recorded.detail;
  } catch {
    // no record: never built at all
  }
  return 'the native addon was not built: run `npm install` (needs a C++ compiler, make and python3)';
}

/** Loads the addon from the first existing candidate path; not memoised (see loadNative). */
export function loadNativeFrom(
  candidates: string[],
  options: { platform?: NodeJS.Platform; root?: string } = {},
): NativeLoadResult {
  const platform = options.platform ?? process.platform;
  if (platform === 'darwin') return { ok: false, reason: 'unsupported-platform', detail: MACOS_DETAIL };
  if (platform !== 'linux' && platform !== 'win32') {
    return { ok: false, reason: 'unsupported-platform', detail: `capture is not supported on ${platform}` };
  }
  const path = candidates.find((p) => existsSync(p));
  if (path === undefined) {
    return { ok: false, reason: 'not-built', detail: unavailableDetail(options.root ?? nativePackageRoot()) };
  }
  try {
    const loaded = createRequire(import.meta.url)(path) as Partial<NativeApi> | undefined;
    if (loaded?.abi !== NATIVE_ABI || typeof loaded.platform !== 'string') {
      return {
        ok: false,
        reason: 'load-failed',
        detail: `${path}: unexpected addon ABI ${String(loaded?.abi)} (want ${NATIVE_ABI}); rebuild with npm install`,
      };
    }
    return { ok: true, native: loaded as NativeApi, path };
  } catch (e) {
    return { ok: false, reason: 'load-failed', detail: `${path}: ${(e as Error).message}` };
  }
}

let memo: NativeLoadResult | undefined;

/** The addon for this process (loaded once). */
export function loadNative(): NativeLoadResult {
  memo ??= loadNativeFrom(addonCandidates());
  return memo;
}

/** Thrown by the typed entry points when the addon (or the needed part of it) is unavailable. */
export class NativeUnavailableError extends Error {
  readonly code = 'ENATIVE';
  constructor(
    readonly reason: NativeUnavailableReason | 'not-in-build',
    readonly detail: string,
  ) {
    super(`native capture module unavailable (${reason}): ${detail}`);
    this.name = 'NativeUnavailableError';
  }
}

/** The loaded addon, or throws NativeUnavailableError. */
export function requireNative(): NativeApi {
  const loaded = loadNative();
  if (!loaded.ok) throw new NativeUnavailableError(loaded.reason, loaded.detail);
  return loaded.native;
}
