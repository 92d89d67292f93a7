/** Live round-trip time (median and 95th percentile per second). */
import type { BoostStats } from '@lightspeed/shared';
import { useMemo } from 'react';

import { formatMs } from '../format.js';
import { TimeChart, type ChartData, type ChartSeries } from './time-chart.js';

/** Chart columns: seconds since the epoch, p50, p95 (null where a second had no RTT). */
export function rttSeries(history: readonly BoostStats[]): ChartData {
  return [
    history.map((s) => s.atMs / 1000),
    history.map((s) => s.rtt?.p50 ?? null),
    history.map((s) => s.rtt?.p95 ?? null),
  ];
}

const SERIES: ChartSeries[] = [
  {
    label: 'Median',
    legendClass: 'legend-p50',
    stroke: '#22d3ee',
    fill: 'rgba(34, 211, 238, 0.10)',
    points: true,
  },
  { label: '95th percentile', legendClass: 'legend-p95', stroke: '#a78bfa', dash: [5, 5], width: 1.5 },
];

const ms = (v: number): string => `${v} ms`;

export function RttChart({ history }: { history: readonly BoostStats[] }) {
  const data = useMemo(() => rttSeries(history), [history]);
  const samples = data[1]!.filter((v) => v !== null).length;
  const last = history.at(-1)?.rtt ?? null;
  const summary =
    samples === 0
      ? 'Waiting for the first round-trip samples…'
      : `${samples} samples · median ${formatMs(last?.p50)} · p95 ${formatMs(last?.p95)}`;
  return (
    <TimeChart
      title="Round-trip time"
      label="Round-trip time over the session"
      series={SERIES}
      data={data}
      unit={ms}
      minTop={40}
      summary={summary}
      height={240}
    />
  );
}
