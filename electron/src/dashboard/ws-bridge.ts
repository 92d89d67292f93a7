/**
 * The WebSocket side of the IPC contract: each text frame from a UI is parsed and validated
 * (`parseClientFrame`), dispatched through the same validating dispatcher the Electron main process
 * uses, and answered; notifications are broadcast to every open socket. Malformed frames are counted
 * and dropped.
 */
import {
  WS_MAX_FRAME_BYTES,
  parseClientFrame,
  type MainDispatcher,
  type ServerFrame,
} from '@lightspeed/shared';
import type { RawData, WebSocket } from 'ws';

/** A socket that buffers more than this is too slow: its notifications are dropped until it catches up. */
const MAX_BUFFERED_BYTES = 4 * WS_MAX_FRAME_BYTES;

/** A text frame's payload as a string (ws hands over a Buffer, or fragments as Buffer[]). */
function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (data instanceof ArrayBuffer ? Buffer.from(data) : data).toString('utf8');
}

export class WsBridge {
  private readonly sockets = new Set<WebSocket>();
  private malformed = 0;

  constructor(private readonly dispatcher: MainDispatcher) {}

  /** Frames dropped as malformed since start. */
  get malformedFrames(): number {
    return this.malformed;
  }

  get clientCount(): number {
    return this.sockets.size;
  }

  /** Serves one connected UI until it closes. */
  attach(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.malformed++;
        return;
      }
      const frame = parseClientFrame(textOf(data));
      if (frame === null) {
        this.malformed++;
        return;
      }
      if (frame.t === 'send') {
        this.dispatcher.send(frame.ch, frame.arg);
        return;
      }
      void this.dispatcher.invoke(frame.ch, frame.arg).then((result) => {
        this.write(ws, { t: 'result', id: frame.id, result });
      });
    });
  }

  /** Pushes a notification to every UI. */
  broadcast(channel: string, payload: unknown): void {
    const text = JSON.stringify({ t: 'notify', ch: channel, payload } satisfies ServerFrame);
    for (const ws of this.sockets) {
      if (ws.readyState === ws.OPEN && ws.bufferedAmount < MAX_BUFFERED_BYTES) ws.send(text);
    }
  }

  /** Closes every socket. */
  closeAll(): void {
    for (const ws of this.sockets) ws.close(1001, 'dashboard stopping');
    this.sockets.clear();
  }

  private write(ws: WebSocket, frame: ServerFrame): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  }
}
