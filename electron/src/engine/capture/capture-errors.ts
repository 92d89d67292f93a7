/** Capture cannot run on this machine as it is; the message says why and, where it can, what to do. */
export class CaptureUnavailableError extends Error {
  override readonly name = 'CaptureUnavailableError';
}
