/**
 * The capture backend contract, copied structurally from the engine
 * (electron/src/engine/capture/capture-backend.ts): native must not import electron, and TypeScript's
 * structural typing lets the engine pass a WinDivertCapture where a CaptureBackend is expected.
 */

export interface Endpoint {
  /** Dotted quad. */
  address: string;
  /** The same as u32. */
  ip: number;
  port: number;
}

export interface CaptureTarget {
  pids: number[];
}

export interface CaptureStartOptions {
  excludes: string[];
  captureLan?: boolean;
}

export interface CaptureEvents {
  onDatagram(game: Endpoint, server: Endpoint, payload: Uint8Array): void;
  onSockets?(ports: number[]): void;
  onError(err: Error): void;
}

export interface CaptureBackendShape {
  readonly platform: NodeJS.Platform;
  start(target: CaptureTarget, options: CaptureStartOptions, events: CaptureEvents): Promise<void>;
  retarget(target: CaptureTarget): Promise<void>;
  reply(game: Endpoint, server: Endpoint, payload: Uint8Array): void;
  /** No flow replies from `server` any more: free what `reply` keeps for it. */
  release(server: Endpoint): void;
  stop(): Promise<void>;
}
