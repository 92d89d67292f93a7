/**
 * What FEC actually cost and saved in the running session, from the engine's counters (not the setting's
 * promise): the wire scheme in use, the bandwidth overhead (FEC bytes over the data bytes sent), packets
 * rebuilt and packets still lost.
 */
import type { BoostStats } from '@lightspeed/shared';

import { formatCount, formatPct } from '../format.js';

const SCHEME: Record<1 | 2 | 3, string> = {
  1: 'off',
  2: 'XOR parity (v2)',
  3: 'adaptive (v3)',
};

/** One line for the settings: what FEC is doing now, or null without a session's stats. */
export function fecMeasuredText(stats: BoostStats | null): string | null {
  if (stats === null) return null;
  const version = stats.fecVersion ?? ((stats.fecParityUp ?? 0) > 0 ? 2 : 1);
  if (version === 1) return 'This session: FEC off.';
  const fecBytes = stats.fecBytesUp;
  const dataBytes = fecBytes === undefined ? 0 : stats.bytesUp - fecBytes;
  const overhead =
    fecBytes !== undefined && dataBytes > 0 ? `overhead ${formatPct(fecBytes / dataBytes)}` : null;
  const parts = [
    `This session: ${SCHEME[version]}`,
    overhead,
    `${formatCount(stats.fecRecovered)} packets rebuilt`,
    `${formatCount(stats.fecLost ?? 0)} lost after FEC`,
  ];
  return `${parts.filter((p) => p !== null).join(' · ')}.`;
}

export function FecMeasured({ stats }: { stats: BoostStats | null }) {
  const text = fecMeasuredText(stats);
  return (
    <p className="muted" aria-label="FEC measured in this session">
      {text ?? 'Overhead and recoveries are measured once a boost is running.'}
    </p>
  );
}
