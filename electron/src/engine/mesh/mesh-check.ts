/**
 * Whether an entry speaks the mesh, before any game server is known (capture with `--exit auto` learns
 * its servers from the game's traffic): one mesh KEEPALIVE naming no exit. A mesh node answers every
 * admitted keepalive (with "no route" for the empty exit; the answer is never larger than the question);
 * a relay that is not a mesh node drops the version-4 datagram and never answers.
 */
import { MeshKind } from '@lightspeed/shared';

import { askEntry, type EntryAddress } from './ask-entry.js';

export interface MeshCheckOptions {
  entry: EntryAddress;
  /** Give up after this long (default 1500 ms). */
  timeoutMs?: number;
  /** Ask again this often (default 150 ms): a keepalive can be lost. */
  everyMs?: number;
}

/** Resolves true once the entry answers a mesh keepalive, false when it never does within the timeout. */
export function answersAsMesh(o: MeshCheckOptions): Promise<boolean> {
  return askEntry({
    entry: o.entry,
    kind: MeshKind.KEEPALIVE,
    question: { ip: 0, port: 0, exit: '', payload: new Uint8Array(0) },
    read: () => ({ value: true, complete: true }),
    none: false,
    timeoutMs: o.timeoutMs,
    everyMs: o.everyMs,
  });
}
