/**
 * v3 negotiation, carried in HANDSHAKE payloads. The client's offer rides a v2 (K = 4) HANDSHAKE with
 * zeroed addresses: a deployed relay forwards a handshake's payload as data, and 0.0.0.0:0 is a
 * destination every relay refuses, so the offer reaches no game server; if a deployed relay did open a
 * session from it, that session is v2 K = 4 — the fallback both sides use anyway. A LightSpeed relay that
 * speaks v3 answers with a HANDSHAKE carrying the accept; any other answer (an ACK without it, or none)
 * means v2. Both payloads are 8 bytes:
 *
 *   0-3  "LSF3" (4C 53 46 33)
 *   4    u8  offer: highest FEC version the client speaks (3); accept: the version chosen (3)
 *   5    u8  repair budget: 1 balanced, 2 strong (the accept echoes the offer's)
 *   6-7  u16 reserved, 0 (ignored on receipt)
 */

export const FEC_OFFER_LEN = 8;
const MAGIC = [0x4c, 0x53, 0x46, 0x33] as const;

export const FEC_BUDGETS = ['balanced', 'strong'] as const;
export type FecBudget = (typeof FEC_BUDGETS)[number];

export interface FecNegotiation {
  version: number;
  budget: FecBudget;
}

export function encodeFecNegotiation(n: FecNegotiation): Uint8Array {
  return Uint8Array.of(...MAGIC, n.version, n.budget === 'strong' ? 2 : 1, 0, 0);
}

/** Reads an offer or accept; null when the payload is not one (wrong magic, length, version or budget). */
export function decodeFecNegotiation(p: Uint8Array): FecNegotiation | null {
  if (p.length < FEC_OFFER_LEN) return null;
  for (let i = 0; i < 4; i++) if (p[i] !== MAGIC[i]) return null;
  const version = p[4]!;
  const b = p[5]!;
  if (version < 3 || (b !== 1 && b !== 2)) return null;
  return { version, budget: b === 2 ? 'strong' : 'balanced' };
}
