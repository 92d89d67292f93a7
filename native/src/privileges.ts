/**
 * Privilege narrowing on Linux: run as root only long enough to drop to an unprivileged user that keeps
 * CAP_NET_ADMIN and CAP_NET_RAW (also as ambient capabilities, so `nft` and `ip` run as children keep them).
 */
import { readFileSync } from 'node:fs';

import { NativeUnavailableError, requireNative } from './load.js';

export const CAP_NET_ADMIN = 12;
export const CAP_NET_RAW = 13;
/** The mask dropPrivileges keeps: 0x3000. */
export const CAPTURE_CAPABILITIES = (1n << BigInt(CAP_NET_ADMIN)) | (1n << BigInt(CAP_NET_RAW));

/**
 * From root: setgroups([gid]), setgid, setuid, keeping only CAP_NET_ADMIN and CAP_NET_RAW (permitted,
 * effective, inheritable and ambient) on the calling JS thread. Throws an errno-coded error (EPERM when
 * not root).
 */
export function dropPrivileges(uid: number, gid: number): void {
  const native = requireNative();
  if (native.dropPrivileges === undefined) {
    throw new NativeUnavailableError(
      'not-in-build',
      `dropPrivileges is Linux-only (this is ${native.platform})`,
    );
  }
  native.dropPrivileges(uid, gid);
}

/** A capability set line (`CapEff:\t0000000000003000`) from /proc/<pid>/status text; null if absent. */
export function parseCapabilitySet(statusText: string, field = 'CapEff'): bigint | null {
  const match = new RegExp(`^${field}:\\s*([0-9a-fA-F]{1,16})\\s*$`, 'm').exec(statusText);
  return match?.[1] === undefined ? null : BigInt(`0x${match[1]}`);
}

/** This process's effective capabilities (Linux; 0n where /proc is not available). */
export function effectiveCapabilities(): bigint {
  try {
    return parseCapabilitySet(readFileSync('/proc/self/status', 'utf8')) ?? 0n;
  } catch {
    return 0n;
  }
}

/** Whether the effective set has both CAP_NET_ADMIN and CAP_NET_RAW. */
export function hasCaptureCapabilities(caps: bigint = effectiveCapabilities()): boolean {
  return (caps & CAPTURE_CAPABILITIES) === CAPTURE_CAPABILITIES;
}
