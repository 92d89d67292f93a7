/**
 * One WinDivert handle (Windows): `onPacket` gets each packet (empty for FLOW events) with its 80-byte
 * WINDIVERT_ADDRESS (see address.ts). WinDivert.dll is loaded at run time from `dllPath` (the app's
 * resources directory), so the addon loads where WinDivert is absent.
 */
import { NativeUnavailableError, requireNative } from '../load.js';
import { WinDivertLayer, type WinDivertLayerName } from './address.js';

export interface WinDivertOptions {
  /** Full path of WinDivert.dll (WinDivert64.sys next to it). */
  dllPath: string;
  filter: string;
  layer: WinDivertLayerName;
  /** -30000..30000; higher sees packets first. Default 0. */
  priority?: number;
  /** WinDivertFlag bits. Default 0 (divert). */
  flags?: number;
  onPacket: (packet: Buffer, address: Buffer) => void;
  /** The receive loop stopped with this error. */
  onError?: (error: Error) => void;
}

export interface WinDivertHandle {
  /** Injects `packet` with `address` (checksums recomputed); false on error (counted). */
  send(packet: Uint8Array, address: Uint8Array): boolean;
  close(): void;
}

/** Opens the handle. Throws NativeUnavailableError off Windows, or an `EWINDIVERT*` coded error. */
export type OpenWinDivert = (options: WinDivertOptions) => WinDivertHandle;

export const openWinDivert: OpenWinDivert = (options) => {
  const native = requireNative();
  if (native.WinDivert === undefined) {
    throw new NativeUnavailableError(
      'not-in-build',
      `WinDivert is Windows-only (this is ${native.platform})`,
    );
  }
  return new native.WinDivert(
    options.dllPath,
    options.filter,
    WinDivertLayer[options.layer],
    options.priority ?? 0,
    options.flags ?? 0,
    options.onPacket,
    options.onError ?? (() => {}),
  );
};
