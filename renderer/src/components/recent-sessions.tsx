/** Session → Recent sessions: the summaries of the last sessions (newest first), kept on this machine. */
import type { SessionSummary } from '@lightspeed/shared';

import { useBoost } from '../store/hooks.js';

const ms = (x: number | null): string => (x === null ? '–' : `${x.toFixed(0)} ms`);
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const duration = (s: number): string =>
  s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`;

function Row({ s }: { s: SessionSummary }) {
  return (
    <tr>
      <td>{new Date(s.startedAt).toLocaleString()}</td>
      <td>{duration(s.durationS)}</td>
      <td>{s.relays.join(' → ') || '–'}</td>
      <td>
        {ms(s.pingP50Ms)} / {ms(s.pingP95Ms)}
      </td>
      <td>
        {pct(s.lossBeforeFec)} → {pct(s.lossAfterFec)}
      </td>
      <td>{s.packetsRecovered}</td>
      <td>{s.failovers}</td>
      <td title={s.directNote}>
        {s.directMs == null || s.boostedMs == null ? '–' : `${ms(s.directMs)} → ${ms(s.boostedMs)}`}
      </td>
      <td title={s.directNote}>
        {s.msSavedVsDirect === null ? 'not measured' : `${s.msSavedVsDirect.toFixed(0)} ms`}
      </td>
    </tr>
  );
}

const NONE: SessionSummary[] = [];

export function RecentSessions() {
  // A stable empty list: a new [] per render would make the store selector loop.
  const recent = useBoost((b) => b.status.recent ?? NONE);
  if (recent.length === 0) return null;
  return (
    <div className="panel">
      <table className="table" aria-label="Recent sessions">
        <caption>Recent sessions</caption>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Duration</th>
            <th scope="col">Relays</th>
            <th scope="col">Ping p50 / p95</th>
            <th scope="col">Loss before → after FEC</th>
            <th scope="col">Recovered</th>
            <th scope="col">Failovers</th>
            <th scope="col">Without → with</th>
            <th scope="col">Saved vs direct</th>
          </tr>
        </thead>
        <tbody>
          {recent.map((s) => (
            <Row key={s.startedAt} s={s} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
