/** The capture backend for this OS, or why there is none. */
import { MACOS_DETAIL } from '@lightspeed/native';

import type { CaptureBackend } from './capture-backend.js';
import { CaptureUnavailableError } from './capture-errors.js';
import { LinuxCapture } from './linux/linux-capture.js';

export function platformCaptureBackend(platform: NodeJS.Platform = process.platform): CaptureBackend {
  switch (platform) {
    case 'linux':
      return new LinuxCapture();
    case 'darwin':
      throw new CaptureUnavailableError(MACOS_DETAIL);
    default:
      throw new CaptureUnavailableError(`capture is not supported on ${platform} — use redirect mode`);
  }
}
