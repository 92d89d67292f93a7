/**
 * Session → "Without LightSpeed X ms → with Y ms": the engine's live comparison (the same light probe to
 * the game server directly and through the relay, every 30 s), an honest "not measured" when the server
 * answers no probe, Cloudflare WARP when it carries the direct path, and "Compare with direct" — the
 * CLI's diagnose run by the main side against every configured relay (from the Session view while
 * boosting, or from a Library tile before: then the idle Session view shows it).
 */
import type { DiagnoseView, DirectComparison, WarpState } from '@lightspeed/shared';

import { useActions, useBoost } from '../store/hooks.js';

const ms = (x: number | null | undefined): string => (x == null ? '–' : `${x.toFixed(0)} ms`);
const loss = (x: number | null | undefined): string => (x == null ? '' : ` · loss ${x.toFixed(0)}%`);

function Saved({ saved }: { saved: number | null }) {
  if (saved === null) return null;
  return saved >= 0.5 ? (
    <span className="text-good"> · {saved.toFixed(0)} ms saved</span>
  ) : (
    <span className="text-warn"> · direct is faster by {(-saved).toFixed(0)} ms</span>
  );
}

/** WARP changes the direct path: said whenever it is connected; with `always`, its state in any case. */
function WarpLine({ warp, always = false }: { warp: WarpState | null | undefined; always?: boolean }) {
  if (warp == null || (!warp.connected && !always)) return null;
  return (
    <p className="muted" data-testid="warp-line">
      {warp.connected
        ? 'Cloudflare WARP is connected: the direct path goes through WARP.'
        : `Cloudflare WARP: ${warp.installed ? 'installed, not connected' : 'not installed'}.`}
    </p>
  );
}

function LiveLine({ direct }: { direct: DirectComparison | undefined }) {
  if (direct === undefined || direct.state === 'measuring')
    return <span className="muted">Without LightSpeed: measuring the direct path…</span>;
  if (direct.state === 'no-answer')
    return (
      <span className="muted" title={direct.note}>
        Without LightSpeed: not measured — the game server answers no light probe (many do not)
      </span>
    );
  return (
    <span>
      Without LightSpeed <strong>{ms(direct.directMs)}</strong>
      {loss(direct.directLossPct)} → with <strong>{ms(direct.boostedMs)}</strong>
      {loss(direct.boostedLossPct)}
      <Saved saved={direct.msSaved} />
    </span>
  );
}

function Diagnosis({ d }: { d: DiagnoseView }) {
  return (
    <div data-testid="diagnosis">
      <table className="table" aria-label="Direct against each relay">
        <thead>
          <tr>
            <th scope="col">Path</th>
            <th scope="col">Round trip</th>
            <th scope="col">Loss</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>Direct (without LightSpeed)</td>
            <td>{d.direct.rttMs === null ? 'no answer' : ms(d.direct.rttMs)}</td>
            <td>{d.direct.lossPct.toFixed(0)}%</td>
          </tr>
          {d.relays.map((r) => (
            <tr key={r.relay}>
              <td>via {r.relay}</td>
              <td>{r.rttMs === null ? 'no answer' : ms(r.rttMs)}</td>
              <td>{r.lossPct.toFixed(0)}%</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p role="status" data-testid="diagnosis-verdict">
        {d.verdict}
      </p>
      <WarpLine warp={d.warp} always />
    </div>
  );
}

/** Session while idle: the last "Compare with direct" run from the Library (measuring, its result or error). */
export function LastDiagnosis() {
  const diagnosis = useBoost((b) => b.diagnosis);
  const { running, result, error } = diagnosis;
  if (!running && result === null && error === null) return null;
  return (
    <div className="panel direct-compare" aria-label="Compare with direct">
      <h3>Without LightSpeed vs with it{result !== null && !running ? `: ${result.server}` : ''}</h3>
      {running && (
        <p className="muted" role="status">
          Measuring the direct path and each relay path…
        </p>
      )}
      {error !== null && (
        <p className="hero-reason" role="alert">
          {error}
        </p>
      )}
      {result !== null && !running && <Diagnosis d={result} />}
    </div>
  );
}

export function DirectCompare({ server, direct }: { server: string; direct: DirectComparison | undefined }) {
  const diagnosis = useBoost((b) => b.diagnosis);
  const actions = useActions();
  const result = diagnosis.result?.server === server ? diagnosis.result : null;
  return (
    <div className="panel direct-compare" aria-label="Without and with LightSpeed">
      <div className="direct-line">
        <p data-testid="direct-line">
          <LiveLine direct={direct} />
        </p>
        <button
          type="button"
          className="btn"
          disabled={server === '' || diagnosis.running}
          onClick={() => void actions.diagnose(server)}
        >
          {diagnosis.running ? 'Measuring…' : 'Compare with direct'}
        </button>
      </div>
      <WarpLine warp={result === null ? direct?.warp : null} />
      {diagnosis.error !== null && (
        <p className="hero-reason" role="alert">
          {diagnosis.error}
        </p>
      )}
      {result !== null && <Diagnosis d={result} />}
    </div>
  );
}
