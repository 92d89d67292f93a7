/**
 * One mesh-client question to an entry, outside any session: asked again every `everyMs` (a datagram can be
 * lost) from a socket of its own until an answer says it is complete or `timeoutMs` passes. Only answers
 * from the entry's address, of the question's kind and carrying the question's session id count.
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';

import {
  decodeMeshClientFrame,
  encodeMeshClientFrame,
  type MeshClientFrame,
  type MeshKindValue,
} from '@lightspeed/shared';

export interface EntryAddress {
  host: string;
  port: number;
  token?: number | undefined;
}

export interface AskEntryOptions<T> {
  entry: EntryAddress;
  kind: MeshKindValue;
  /** The question's fields besides kind, token, sequence and session id. */
  question: Pick<MeshClientFrame, 'ip' | 'port' | 'exit' | 'payload'>;
  /** What an answer says (null: not an answer to use), and whether it is complete. */
  read: (answer: MeshClientFrame) => { value: T; complete: boolean } | null;
  /** What resolves when no answer came at all. */
  none: T;
  /** Give up after this long (default 1500 ms) with the last answer read, if any. */
  timeoutMs?: number | undefined;
  /** Ask again this often (default 150 ms). */
  everyMs?: number | undefined;
}

/** Resolves with the first complete answer, else the last one read before the timeout, else `none`. */
export async function askEntry<T>(o: AskEntryOptions<T>): Promise<T> {
  const socket = dgram.createSocket('udp4');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.bind(0, '0.0.0.0', () => resolve()));
  const sessionId = new Uint8Array(randomBytes(8));
  let seq = 0;
  const ask = (): void => {
    const frame = encodeMeshClientFrame({
      ...o.question,
      kind: o.kind,
      tokenOrStatus: o.entry.token ?? 0,
      seq: seq++ & 0xffff,
      sessionId,
    });
    socket.send(frame, o.entry.port, o.entry.host);
  };
  try {
    return await new Promise<T>((resolve) => {
      let last = o.none;
      const timer = setInterval(ask, o.everyMs ?? 150);
      const give = setTimeout(() => done(last), o.timeoutMs ?? 1500);
      const done = (r: T): void => {
        clearInterval(timer);
        clearTimeout(give);
        resolve(r);
      };
      socket.on('message', (msg, rinfo) => {
        if (rinfo.port !== o.entry.port || rinfo.address !== o.entry.host) return;
        const d = decodeMeshClientFrame(msg);
        if (!d.ok || d.frame.kind !== o.kind) return;
        if (Buffer.compare(Buffer.from(d.frame.sessionId), Buffer.from(sessionId)) !== 0) return;
        const answer = o.read(d.frame);
        if (answer === null) return;
        last = answer.value;
        if (answer.complete) done(answer.value);
      });
      ask();
    });
  } finally {
    socket.close();
  }
}
