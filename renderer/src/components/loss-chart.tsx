/** Live loss relay → client before and after FEC, per second: the gap between the two is what FEC saved. */
import type { BoostStats } from '@lightspeed/shared';
import { useMemo } from 'react';

import { formatPct } from '../format.js';
import { TimeChart, type ChartData, type ChartSeries } from './time-chart.js';

/** Chart columns: seconds since the epoch, loss before FEC (%), loss after FEC (%). */
export function lossSeries(history: readonly BoostStats[]): ChartData {
  return [
    history.map((s) => s.atMs / 1000),
    history.map((s) => s.lossDown * 100),
    history.map((s) => s.lossDownAfterFec * 100),
  ];
}

const SERIES: ChartSeries[] = [
  {
    label: 'Before FEC',
    legendClass: 'legend-before',
    stroke: '#f87171',
    fill: 'rgba(248, 113, 113, 0.12)',
    width: 1.5,
  },
  {
    label: 'After FEC',
    legendClass: 'legend-after',
    stroke: '#34d399',
    fill: 'rgba(52, 211, 153, 0.10)',
    points: true,
  },
];

const pct = (v: number): string => `${Number(v.toFixed(1))}%`;

export function LossChart({ history }: { history: readonly BoostStats[] }) {
  const data = useMemo(() => lossSeries(history), [history]);
  const first = history[0];
  const last = history.at(-1);
  const rebuilt = first && last ? last.fecRecovered - (history.length > 1 ? first.fecRecovered : 0) : 0;
  const summary =
    history.length === 0
      ? 'Waiting for the first statistics…'
      : `Now ${formatPct(last?.lossDown)} lost on the link, ${formatPct(last?.lossDownAfterFec)} after FEC · ${rebuilt} packets rebuilt in this window`;
  return (
    <TimeChart
      title="Packet loss"
      label="Packet loss before and after FEC"
      series={SERIES}
      data={data}
      unit={pct}
      minTop={5}
      summary={summary}
      height={180}
    />
  );
}
