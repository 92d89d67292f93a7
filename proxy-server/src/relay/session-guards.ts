/**
 * Per-session security bookkeeping on the packet path: token buckets, the anti-reflection window and the
 * anti-amplification budget. Plain functions over Session fields: no allocation, no I/O, no clock.
 */
import { MAX_KNOWN_PEERS, type Session } from './session.js';

/** Refills the session's buckets for the time since the last packet and takes one packet of `bytes`. */
export function takeTokens(s: Session, bytes: number, now: number, pps: number, bps: number): boolean {
  const elapsed = now - s.refillAt;
  if (elapsed > 0) {
    s.refillAt = now;
    s.pktTokens = Math.min(pps, s.pktTokens + (elapsed * pps) / 1000);
    s.byteTokens = Math.min(bps, s.byteTokens + (elapsed * bps) / 1000);
  }
  if (s.pktTokens < 1 || s.byteTokens < bytes) return false;
  s.pktTokens -= 1;
  s.byteTokens -= bytes;
  return true;
}

/**
 * Anti-reflection: records `key` (ip * 65536 + port) as a destination of this window and returns false
 * when it would be more than `maxDestinations` distinct ones. Accepted destinations join the session's
 * known peers, the only sources its upstream socket accepts replies from.
 */
export function claimDestination(
  s: Session,
  key: number,
  now: number,
  windowMs: number,
  maxDestinations: number,
): boolean {
  const window = s.windowDests;
  if (now - s.windowStart >= windowMs) {
    // A fresh window: the destination in use is not carried over, or a client capped at one
    // destination could never move to another server.
    window.length = 0;
    s.windowStart = now;
  }
  if (!window.includes(key)) {
    if (window.length >= maxDestinations) return false;
    window.push(key);
  }
  if (!s.peers.includes(key)) {
    if (s.peers.length >= MAX_KNOWN_PEERS) s.peers.shift();
    s.peers.push(key);
  }
  return true;
}

/**
 * Anti-amplification for a game-server reply of `bytes`: until the server has answered, the client may
 * not receive more than it sent. The first reply that fits marks the session answered.
 */
export function admitReply(s: Session, bytes: number): boolean {
  if (s.answered) return true;
  if (s.bytesOut + bytes > s.bytesIn) return false;
  s.answered = true;
  return true;
}

/** The sequence number for the next packet to the client (u16, wrapping). */
export function nextSeq(s: Session): number {
  const seq = s.replySeq;
  s.replySeq = (seq + 1) & 0xffff;
  return seq;
}
