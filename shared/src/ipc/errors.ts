/**
 * Errors cross the IPC boundary as string codes inside a result envelope, because Electron's
 * `ipcRenderer.invoke` keeps only an error's message and the WebSocket carries plain JSON.
 */

export const IPC_ERROR_CODES = [
  /** The argument failed its schema. */
  'invalid-argument',
  /** No such channel. */
  'unknown-channel',
  /** A referenced game, relay or server does not exist. */
  'not-found',
  /** The game has no server to redirect to yet; the UI asks for one. */
  'needs-server',
  /** Capture mode: the game must be running before it can be boosted. */
  'not-running',
  /** No relays are configured or reachable. */
  'no-relays',
  /** Not possible in the current state (e.g. start while a session runs). */
  'busy',
  /** Not available in this build or on this platform (e.g. capture mode without the native module). */
  'unsupported',
  /** The transport is closed. */
  'disconnected',
  /** Anything else; the message says what. */
  'internal',
] as const;
export type IpcErrorCode = (typeof IPC_ERROR_CODES)[number];

/** An error with a code the UI can act on. */
export class IpcError extends Error {
  constructor(
    readonly code: IpcErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IpcError';
  }
}

export interface IpcErrorBody {
  code: IpcErrorCode;
  message: string;
}

/** What an invoke answers on the wire. */
export type IpcResult = { ok: true; value: unknown } | { ok: false; error: IpcErrorBody };

/** Turns anything thrown by a handler into an error body (unknown errors become `internal`). */
export function toErrorBody(err: unknown): IpcErrorBody {
  if (err instanceof IpcError) return { code: err.code, message: err.message };
  if (err instanceof Error) return { code: 'internal', message: err.message };
  return { code: 'internal', message: String(err) };
}

/** Whether `code` is a known error code (for envelopes read from a transport). */
export function isIpcErrorCode(code: unknown): code is IpcErrorCode {
  return typeof code === 'string' && (IPC_ERROR_CODES as readonly string[]).includes(code);
}
