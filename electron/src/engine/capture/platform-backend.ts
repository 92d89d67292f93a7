/** The capture backend for this OS, or why there is none. */
import path from 'node:path';

import { MACOS_DETAIL } from '@lightspeed/native';

import type { CaptureBackend } from './capture-backend.js';
import { CaptureUnavailableError } from './capture-errors.js';
import { LinuxCapture } from './linux/linux-capture.js';
import { WinDivertCapture } from './windows/windivert-capture.js';

/**
 * WinDivert.dll (with WinDivert64.sys beside it), which the Windows installer puts in the app's resources;
 * LIGHTSPEED_WINDIVERT_DLL names another.
 */
export function winDivertDll(): string {
  const resources = (process as { resourcesPath?: string }).resourcesPath ?? path.dirname(process.execPath);
  return process.env.LIGHTSPEED_WINDIVERT_DLL ?? path.join(resources, 'WinDivert.dll');
}

export function platformCaptureBackend(platform: NodeJS.Platform = process.platform): CaptureBackend {
  switch (platform) {
    case 'linux':
      return new LinuxCapture();
    case 'win32':
      return new WinDivertCapture({ dllPath: winDivertDll() });
    case 'darwin':
      throw new CaptureUnavailableError(MACOS_DETAIL);
    default:
      throw new CaptureUnavailableError(`capture is not supported on ${platform} — use redirect mode`);
  }
}
