/**
 * Packet loss models for the lossy link: independent (iid) loss and the Gilbert–Elliott two-state model
 * for bursts. Pure state machines driven by a PRNG.
 */
import type { Prng } from './prng.js';

/** Gilbert–Elliott parameters: per-packet transition probabilities and the loss rate in each state. */
export interface GilbertElliott {
  /** P(good → bad) per packet. */
  pGoodToBad: number;
  /** P(bad → good) per packet; 1 / mean burst length. */
  pBadToGood: number;
  /** Loss probability in the good state. Default 0. */
  lossGood?: number;
  /** Loss probability in the bad state. Default 1. */
  lossBad?: number;
}

/** A Gilbert–Elliott model with average loss `loss` and mean burst length `meanBurst` packets. */
export function burstModel(loss: number, meanBurst: number): GilbertElliott {
  if (!(loss >= 0 && loss < 1)) throw new RangeError(`loss must be in [0, 1), got ${loss}`);
  if (!(meanBurst >= 1)) throw new RangeError(`mean burst length must be >= 1, got ${meanBurst}`);
  const r = 1 / meanBurst;
  // Stationary P(bad) = p / (p + r) = loss  ⇒  p = loss·r / (1 − loss).
  return { pGoodToBad: (loss * r) / (1 - loss), pBadToGood: r, lossGood: 0, lossBad: 1 };
}

/** Long-run loss rate of a Gilbert–Elliott model. */
export function gilbertElliottLoss(ge: GilbertElliott): number {
  const pBad = ge.pGoodToBad / (ge.pGoodToBad + ge.pBadToGood);
  return pBad * (ge.lossBad ?? 1) + (1 - pBad) * (ge.lossGood ?? 0);
}

export interface LossModel {
  /** Decides the fate of the next packet. */
  drop(rng: Prng): boolean;
}

/** Independent loss with probability `p`. */
export function iidLoss(p: number): LossModel {
  return { drop: (rng) => rng.chance(p) };
}

/** Gilbert–Elliott bursty loss. */
export function gilbertElliottLossModel(ge: GilbertElliott): LossModel {
  let bad = false;
  return {
    drop(rng) {
      bad = bad ? !rng.chance(ge.pBadToGood) : rng.chance(ge.pGoodToBad);
      return rng.chance(bad ? (ge.lossBad ?? 1) : (ge.lossGood ?? 0));
    },
  };
}
