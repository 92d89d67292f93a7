import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

import {
  TAG_LEN,
  decodeEnvelope,
  encodeEnvelopeHeader,
  idBytes,
  makeNonce,
  nonceCounter,
} from './mesh-frame.js';

/** One key per direction: HKDF-SHA256(psk, salt, "sender\0receiver"), so A→B and B→A never share a nonce space. */
export function directionKey(psk: Uint8Array, sender: string, receiver: string): Buffer {
  return Buffer.from(hkdfSync('sha256', psk, 'lightspeed-mesh-v1', `${sender}\u0000${receiver}`, 32));
}

/**
 * Seals frames from this node to one peer. The nonce is the 4-byte random prefix drawn at start and a
 * counter: unique for the life of the process, and the epoch (start time) tells a restart apart.
 */
export class MeshSealer {
  private counter = 0;
  private readonly sender: Uint8Array;

  constructor(
    private readonly key: Buffer,
    sender: string,
    private readonly epoch: number,
    private readonly prefix: Uint8Array,
  ) {
    this.sender = idBytes(sender);
  }

  seal(plaintext: Uint8Array): Buffer {
    const nonce = makeNonce(this.prefix, this.counter++);
    const header = encodeEnvelopeHeader(this.sender, this.epoch, nonce);
    const cipher = createCipheriv('chacha20-poly1305', this.key, nonce, { authTagLength: TAG_LEN });
    cipher.setAAD(header, { plaintextLength: plaintext.length });
    const body = cipher.update(plaintext);
    cipher.final();
    return Buffer.concat([header, body, cipher.getAuthTag()]);
  }
}

export function randomPrefix(): Uint8Array {
  return new Uint8Array(randomBytes(4));
}

const WINDOW = 1024;

/**
 * Replay window for one sender: the newest epoch wins (an older epoch is a replay of a previous run), and
 * within an epoch each counter is accepted once; counters more than 1024 behind the highest are refused.
 */
export class ReplayWindow {
  private epoch = -1;
  private highest = -1;
  private readonly seen = new Uint8Array(WINDOW);

  /** Whether (epoch, counter) would be accepted; `commit` records it (only after authentication). */
  check(epoch: number, counter: number): boolean {
    if (counter < 0) return false;
    if (epoch < this.epoch) return false;
    if (epoch > this.epoch) return true;
    if (counter > this.highest) return true;
    if (this.highest - counter >= WINDOW) return false;
    return this.seen[counter % WINDOW] === 0;
  }

  /** Returns true when `epoch` is newer than any before: the sender (re)started, its per-run state must go. */
  commit(epoch: number, counter: number): boolean {
    const restarted = epoch > this.epoch;
    if (restarted) {
      this.epoch = epoch;
      this.highest = -1;
      this.seen.fill(0);
    }
    if (counter > this.highest) {
      const gap = counter - this.highest;
      if (gap >= WINDOW) this.seen.fill(0);
      else for (let i = 1; i <= gap; i++) this.seen[(this.highest + i) % WINDOW] = 0;
      this.highest = counter;
    }
    this.seen[counter % WINDOW] = 1;
    return restarted;
  }
}

export type OpenResult =
  /** `newEpoch`: the first authenticated frame of a new run of the sender (its first, or after a restart). */
  | { ok: true; sender: string; plaintext: Buffer; newEpoch: boolean }
  | { ok: false; reason: 'malformed' | 'unknown-peer' | 'auth' | 'replay' };

/**
 * Opens frames addressed to this node. `keyFor(sender)` gives the receive key of a configured peer; a frame
 * from an unknown id, failing the tag, or replayed is refused (the caller counts it; nothing is answered).
 */
export function openFrame(
  buf: Uint8Array,
  keyFor: (sender: string) => Buffer | undefined,
  windowFor: (sender: string) => ReplayWindow,
): OpenResult {
  const env = decodeEnvelope(buf);
  if (env === null) return { ok: false, reason: 'malformed' };
  const key = keyFor(env.sender);
  if (key === undefined) return { ok: false, reason: 'unknown-peer' };
  const counter = nonceCounter(env.nonce);
  const window = windowFor(env.sender);
  if (!window.check(env.epoch, counter)) return { ok: false, reason: 'replay' };
  const ct = env.sealed.subarray(0, env.sealed.length - TAG_LEN);
  const tag = env.sealed.subarray(env.sealed.length - TAG_LEN);
  let plaintext: Buffer;
  try {
    const d = createDecipheriv('chacha20-poly1305', key, env.nonce, { authTagLength: TAG_LEN });
    d.setAAD(env.aad, { plaintextLength: ct.length });
    d.setAuthTag(tag);
    plaintext = Buffer.concat([d.update(ct), d.final()]);
  } catch {
    return { ok: false, reason: 'auth' };
  }
  const newEpoch = window.commit(env.epoch, counter);
  return { ok: true, sender: env.sender, plaintext, newEpoch };
}
