/**
 * The sealed link across a peer restart (issue #13): the first authenticated frame of a new epoch says so
 * (`newEpoch`, which resets the hop's per-run state such as hop FEC) exactly once; frames of the previous
 * run — an attacker's recordings — stay refused after it; and a frame whose epoch was altered to look like a
 * restart fails authentication before the window moves, so no one but the peer can cause the reset.
 */
import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { MeshSealer, ReplayWindow, directionKey, openFrame, randomPrefix } from './mesh-crypto.js';

describe('sealed link: restart epochs', () => {
  const psk = new Uint8Array(randomBytes(32));
  const key = directionKey(psk, 'a', 'b');
  const window = new ReplayWindow();
  const open = (frame: Uint8Array) =>
    openFrame(
      frame,
      (id) => (id === 'a' ? key : undefined),
      () => window,
    );

  it('a restart is signalled once, old-run frames stay refused, a forged epoch changes nothing', () => {
    const run1 = new MeshSealer(key, 'a', 1_000_000, randomPrefix());
    const recorded = [run1.seal(Uint8Array.of(1)), run1.seal(Uint8Array.of(2))];
    expect(open(recorded[0]!)).toMatchObject({ ok: true, newEpoch: true }); // the first frame ever
    expect(open(recorded[1]!)).toMatchObject({ ok: true, newEpoch: false });

    // An attacker moves a recorded frame's epoch forward: the tag covers it, the window does not move.
    const forged = Buffer.from(run1.seal(Uint8Array.of(3)));
    const epochAt = 2 + 'a'.length; // after the 2 leading bytes and the sender id (mesh-frame.ts)
    forged[epochAt + 4]! |= 0x80; // + 2^31 ms: newer, so only the tag can refuse it
    expect(open(forged)).toEqual({ ok: false, reason: 'auth' });

    // The peer restarts (same key, counters from 0 again): accepted, and said to be a new run, once.
    const run2 = new MeshSealer(key, 'a', 2_000_000, randomPrefix());
    expect(open(run2.seal(Uint8Array.of(4)))).toMatchObject({ ok: true, newEpoch: true });
    expect(open(run2.seal(Uint8Array.of(5)))).toMatchObject({ ok: true, newEpoch: false });
    // The previous run's frames, replayed after the restart: refused (they cannot reset anything).
    for (const f of recorded) expect(open(f)).toEqual({ ok: false, reason: 'replay' });
    // Nor can a frame the first run sealed later (never seen): its epoch is older than the newest.
    expect(open(run1.seal(Uint8Array.of(6)))).toEqual({ ok: false, reason: 'replay' });
  });
});
