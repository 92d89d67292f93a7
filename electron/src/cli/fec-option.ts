/**
 * `--fec` for the commands that start an engine: `adaptive` (the default: v3 repairs sized to the measured
 * loss, offered to the relay, v2 K = 4 where it has no v3), `strong` (adaptive with the larger budget),
 * `0` (off: header v1) or `K` = 2..16 (v2 XOR, one parity per K packets, as deployed clients do).
 */
import type { FecBudget } from '@lightspeed/shared';

import { UsageError } from './command.js';

export interface FecChoice {
  fecK: number;
  fecAdaptive?: FecBudget;
}

export const FEC_OPTION_HELP =
  '--fec MODE             adaptive (default; v3, v2 K=4 where the relay has no v3), strong (adaptive, larger budget), 0 (off), or K = 2..16 (v2 XOR)';

/** Parses `--fec` (undefined: the default, adaptive); a bad value is a UsageError naming the option. */
export function parseFecOption(value: string | undefined): FecChoice {
  const v = (value ?? 'adaptive').trim().toLowerCase();
  if (v === 'adaptive' || v === 'balanced') return { fecK: 4, fecAdaptive: 'balanced' };
  if (v === 'strong') return { fecK: 4, fecAdaptive: 'strong' };
  if (/^\d+$/.test(v)) {
    const k = Number(v);
    if (k === 0 || (k >= 2 && k <= 16)) return { fecK: k };
  }
  throw new UsageError(`--fec: expected adaptive, strong, 0 (off) or 2..16, got '${value ?? ''}'`);
}

/** For status lines: `adaptive (v3, v2 K=4 fallback)`, `off`, `K=4`. */
export function describeFec(choice: FecChoice): string {
  if (choice.fecAdaptive !== undefined) {
    return `${choice.fecAdaptive === 'strong' ? 'adaptive, strong' : 'adaptive'} (v3, v2 K=4 fallback)`;
  }
  return choice.fecK === 0 ? 'off' : `K=${choice.fecK}`;
}
