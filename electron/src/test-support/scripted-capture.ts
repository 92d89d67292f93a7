/**
 * A capture backend for tests that cannot be root: behind the same interface as LinuxCapture, the test
 * plays the game (`send` is a captured datagram) and reads what the engine replied as the server.
 */
import type {
  CaptureBackend,
  CaptureEvents,
  CaptureStartOptions,
  CaptureTarget,
  Endpoint,
} from '../engine/capture/capture-backend.js';

export class ScriptedCapture implements CaptureBackend {
  readonly platform = 'linux' as const;
  events: CaptureEvents | null = null;
  options: CaptureStartOptions | null = null;
  targets: CaptureTarget[] = [];
  replies: { game: Endpoint; server: Endpoint; payload: Buffer }[] = [];
  released: Endpoint[] = [];
  stopped = 0;

  constructor(private readonly ports: number[] = [50000]) {}

  start(target: CaptureTarget, options: CaptureStartOptions, events: CaptureEvents): Promise<void> {
    this.targets.push(target);
    this.options = options;
    this.events = events;
    events.onSockets?.(this.ports);
    return Promise.resolve();
  }

  retarget(target: CaptureTarget): Promise<void> {
    this.targets.push(target);
    return Promise.resolve();
  }

  reply(game: Endpoint, server: Endpoint, payload: Uint8Array): void {
    this.replies.push({ game, server, payload: Buffer.from(payload) });
  }

  release(server: Endpoint): void {
    this.released.push(server);
  }

  stop(): Promise<void> {
    this.stopped++;
    return Promise.resolve();
  }

  /** The game sends `text` to `server` from `game`. */
  send(game: Endpoint, server: Endpoint, text: string): void {
    this.events!.onDatagram(game, server, Buffer.from(text));
  }
}
