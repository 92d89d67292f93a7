/**
 * Whether an entry speaks the mesh, before any game server is known (capture with `--exit auto` learns
 * its servers from the game's traffic): one mesh KEEPALIVE naming no exit. A mesh node answers every
 * admitted keepalive (with "no route" for the empty exit; the answer is never larger than the question);
 * a relay that is not a mesh node drops the version-4 datagram and never answers.
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';

import { MeshKind, decodeMeshClientFrame, encodeMeshClientFrame } from '@lightspeed/shared';

export interface MeshCheckOptions {
  entry: { host: string; port: number; token?: number | undefined };
  /** Give up after this long (default 1500 ms). */
  timeoutMs?: number;
  /** Ask again this often (default 150 ms): a keepalive can be lost. */
  everyMs?: number;
}

/** Resolves true once the entry answers a mesh keepalive, false when it never does within the timeout. */
export async function answersAsMesh(o: MeshCheckOptions): Promise<boolean> {
  const socket = dgram.createSocket('udp4');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.bind(0, '0.0.0.0', () => resolve()));
  const sessionId = new Uint8Array(randomBytes(8));
  let seq = 0;
  const ask = (): void => {
    const frame = encodeMeshClientFrame({
      kind: MeshKind.KEEPALIVE,
      tokenOrStatus: o.entry.token ?? 0,
      seq: seq++ & 0xffff,
      sessionId,
      ip: 0,
      port: 0,
      exit: '',
      payload: new Uint8Array(0),
    });
    socket.send(frame, o.entry.port, o.entry.host);
  };
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setInterval(ask, o.everyMs ?? 150);
      const give = setTimeout(() => done(false), o.timeoutMs ?? 1500);
      const done = (r: boolean): void => {
        clearInterval(timer);
        clearTimeout(give);
        resolve(r);
      };
      socket.on('message', (msg, rinfo) => {
        if (rinfo.port !== o.entry.port || rinfo.address !== o.entry.host) return;
        const d = decodeMeshClientFrame(msg);
        if (!d.ok || d.frame.kind !== MeshKind.KEEPALIVE) return;
        if (Buffer.compare(Buffer.from(d.frame.sessionId), Buffer.from(sessionId)) === 0) done(true);
      });
      ask();
    });
  } finally {
    socket.close();
  }
}
