/**
 * A live time-series chart drawn with uPlot: whole-second ticks, dark theme, a legend and a text summary.
 * Without a 2D canvas (a DOM without one, as in component tests) the figure keeps its summary and sample
 * count only.
 */
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  /** CSS class of the legend swatch. */
  legendClass: string;
  stroke: string;
  fill?: string;
  dash?: number[];
  width?: number;
  points?: boolean;
}

/** Columns: x in seconds since the epoch, then one column per series (null: no value that second). */
export type ChartData = [number[], ...(number | null)[][]];

function canvasAvailable(): boolean {
  try {
    return document.createElement('canvas').getContext('2d') !== null;
  } catch {
    return false;
  }
}

/** `14:05:09` for a time in seconds since the epoch: whole-second ticks, no date line. */
function clockLabel(seconds: number): string {
  return new Date(seconds * 1000).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
}

const AXIS = {
  stroke: '#7d89a6',
  font: '11px Inter, "Segoe UI", system-ui, sans-serif',
  grid: { stroke: 'rgba(148, 163, 209, 0.08)', width: 1 },
  ticks: { show: false },
};

function options(
  width: number,
  height: number,
  series: ChartSeries[],
  unit: (v: number) => string,
  minTop: number,
): uPlot.Options {
  return {
    width,
    height,
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    scales: {
      x: { time: true },
      y: { range: (_u, _min, max) => [0, Math.max(minTop, max * 1.25)] },
    },
    axes: [
      {
        ...AXIS,
        space: 70,
        incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300],
        values: (_u, vals) => vals.map(clockLabel),
      },
      { ...AXIS, size: 58, values: (_u, vals) => vals.map(unit) },
    ],
    series: [
      {},
      ...series.map((s) => ({
        label: s.label,
        stroke: s.stroke,
        width: s.width ?? 2,
        ...(s.fill ? { fill: s.fill } : {}),
        ...(s.dash ? { dash: s.dash } : {}),
        points: s.points ? { size: 4, fill: s.stroke } : { show: false },
        // A second without a value is a gap in knowledge, not a zero: bridge it.
        spanGaps: true,
      })),
    ],
  };
}

export interface TimeChartProps {
  title: string;
  /** Accessible name of the figure. */
  label: string;
  series: ChartSeries[];
  data: ChartData;
  /** Formats a y-axis value. */
  unit: (value: number) => string;
  /** The y-axis reaches at least this high (so a flat line does not fill the chart). */
  minTop: number;
  summary: string;
  height?: number;
}

export function TimeChart({
  title,
  label,
  series,
  data,
  unit,
  minTop,
  summary,
  height = 220,
}: TimeChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef({ data, series, unit, minTop });
  latest.current = { data, series, unit, minTop };

  useEffect(() => {
    const el = box.current;
    if (!el || !canvasAvailable()) return;
    const { data: initial, series: s, unit: u, minTop: top } = latest.current;
    const chart = new uPlot(options(Math.max(320, el.clientWidth), height, s, u, top), initial, el);
    plot.current = chart;
    const observer =
      typeof ResizeObserver === 'undefined'
        ? null
        : new ResizeObserver(() => {
            const w = Math.max(320, el.clientWidth);
            if (w !== chart.width) chart.setSize({ width: w, height });
          });
    observer?.observe(el);
    return () => {
      observer?.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [height]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  const samples = useMemo(() => (data[1] ?? []).filter((v) => v !== null).length, [data]);

  return (
    <figure className="chart" aria-label={label} data-samples={samples}>
      <div className="chart-head">
        <h3>{title}</h3>
        <ul className="legend" aria-label="Legend">
          {series.map((s) => (
            <li key={s.label} className={s.legendClass}>
              {s.label}
            </li>
          ))}
        </ul>
      </div>
      <div ref={box} className="chart-canvas" style={{ minHeight: height }} />
      <figcaption className="chart-caption">{summary}</figcaption>
    </figure>
  );
}
