/**
 * A bare QUIC control-plane client for relay tests, fuzzing and the benchmark: it writes whatever bytes it
 * is given and decodes what comes back, without the engine's request/answer logic (the engine's client
 * lives in @lightspeed/electron/engine and would be a circular dependency here).
 */
import { ControlFrameReader, encodeControlFrame, type ControlMessage } from '@lightspeed/shared';
import { events, QUICClient, type QUICStream } from '@matrixai/quic';

import { controlClientOptions } from './quic-support.js';

export interface RawControlClient {
  /** Writes raw bytes on the control stream. */
  write(bytes: Uint8Array): Promise<void>;
  /** Writes one encoded message. */
  send(msg: ControlMessage): Promise<void>;
  /** Resolves with the next decoded message matching `pred` (or rejects after `timeoutMs`). */
  next(pred?: (m: ControlMessage) => boolean, timeoutMs?: number): Promise<ControlMessage>;
  /** Resolves when the stream or connection ends: reset code of the stream and app close code, if any. */
  ended: Promise<{ streamResetCode: number | null; closeCode: number | null }>;
  /** Every message received so far. */
  received: ControlMessage[];
  close(): Promise<void>;
}

/** Connects to a control server, optionally pinning its certificate and binding a local address. */
export async function connectRawControl(opts: {
  host: string;
  port: number;
  localHost?: string;
  certSha256?: string;
  timeoutMs?: number;
}): Promise<RawControlClient> {
  const quic = await QUICClient.createQUICClient(
    {
      ...controlClientOptions({
        host: opts.host,
        port: opts.port,
        localHost: opts.localHost ?? '127.0.0.1',
        certSha256: opts.certSha256,
      }),
      codeToReason: (type, code) =>
        Object.assign(new Error(`control stream ${type} reset with code ${code}`), { code }),
    },
    { timer: opts.timeoutMs ?? 3000 },
  );
  const stream: QUICStream = quic.connection.newStream('bidi');
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const frames = new ControlFrameReader();
  const received: ControlMessage[] = [];
  const waiters: Array<{ pred: (m: ControlMessage) => boolean; resolve: (m: ControlMessage) => void }> = [];
  let seen = 0;
  let closeCode: number | null = null;
  const closedP = new Promise<void>((resolve) =>
    quic.addEventListener(
      events.EventQUICClientClose.name,
      (evt: Event) => {
        const data = (evt as events.EventQUICClientClose).detail as {
          data?: { isApp?: boolean; errorCode?: number };
        } | null;
        if (data?.data?.isApp) closeCode = data.data.errorCode ?? null;
        resolve();
      },
      { once: true },
    ),
  );
  const ended = (async () => {
    let streamResetCode: number | null = null;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const result = frames.push(value);
        for (const m of result.messages) {
          received.push(m);
          const i = waiters.findIndex((w) => w.pred(m));
          if (i >= 0) waiters.splice(i, 1)[0]!.resolve(m);
        }
      }
    } catch (err) {
      const code = (err as { code?: unknown } | null)?.code;
      streamResetCode = typeof code === 'number' ? code : null;
    }
    await Promise.race([closedP, new Promise((r) => setTimeout(r, 200))]);
    return { streamResetCode, closeCode };
  })();
  return {
    received,
    ended,
    write: (bytes) => writer.write(bytes),
    send: (msg) => writer.write(encodeControlFrame(msg)),
    next(pred = () => true, timeoutMs = 3000) {
      // Messages already received but not yet consumed are matched first, in order.
      for (; seen < received.length; seen++) {
        const m = received[seen]!;
        if (pred(m)) {
          seen++;
          return Promise.resolve(m);
        }
      }
      return new Promise<ControlMessage>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching control message in ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          pred,
          resolve: (m) => {
            clearTimeout(timer);
            seen = received.length;
            resolve(m);
          },
        });
      });
    },
    close: () => quic.destroy({ force: true }).catch(() => {}),
  };
}
