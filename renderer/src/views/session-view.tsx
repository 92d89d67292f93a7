/** Session: the live route — state, relay, RTT chart, jitter, loss before and after FEC, recoveries — and Stop. */
import { useEffect, useState } from 'react';

import type { CaptureStatus } from '@lightspeed/shared';

import { LossChart } from '../components/loss-chart.js';
import { RttChart } from '../components/rtt-chart.js';
import { StatTile } from '../components/stat-tile.js';
import { StatusPill } from '../components/status-pill.js';
import { formatCount, formatElapsed, formatMs, formatPct, relayOf } from '../format.js';
import { useActions, useBoost } from '../store/hooks.js';
import { ViewHeader } from '../components/view-header.js';
import { RecentSessions } from '../components/recent-sessions.js';
import { DirectCompare, LastDiagnosis } from '../components/direct-compare.js';
import { MeshRoute } from '../components/mesh-route.js';

function useNow(periodMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(t);
  }, [periodMs]);
  return now;
}

/** Capture mode's part of the route: what is captured, then the servers found in the game's traffic. */
function CaptureRoute({ capture }: { capture: CaptureStatus }) {
  const processes = capture.processes.map((p) => `${p.name} (${p.pid})`).join(', ');
  return (
    <>
      <div>
        <dt>Game servers</dt>
        <dd data-testid="capture-servers">
          {capture.phase === 'capturing' ? (
            capture.servers.map((s) => (
              <span key={s.address} className="server-found">
                <code>{s.address}</code>
                {s.region !== undefined && <span className="muted"> · {s.region}</span>}
              </span>
            ))
          ) : (
            <span className="muted" role="status">
              {capture.phase === 'waiting-for-game'
                ? 'waiting for the game to start…'
                : 'waiting for game traffic…'}
            </span>
          )}
        </dd>
      </div>
      <div>
        <dt>Captured</dt>
        <dd data-testid="capture-process">
          {processes || '—'}
          {capture.ports.length > 0 && <span className="muted"> · UDP {capture.ports.join(', ')}</span>}
        </dd>
      </div>
    </>
  );
}

const lossTone = (loss: number | null | undefined): 'good' | 'warn' | 'bad' | undefined =>
  loss === null || loss === undefined ? undefined : loss > 0.05 ? 'bad' : loss > 0.01 ? 'warn' : 'good';

export function SessionView() {
  const status = useBoost((b) => b.status);
  const stats = useBoost((b) => b.stats);
  const history = useBoost((b) => b.history);
  const pending = useBoost((b) => b.pending);
  const actions = useActions();
  const now = useNow(1000);
  const { state, session } = status;

  if (!session && (state.state === 'idle' || state.state === 'stopped')) {
    return (
      <section className="view" aria-labelledby="session-title">
        <ViewHeader
          id="session-title"
          title="Session"
          sub={state.state === 'stopped' ? `Stopped: ${state.reason}` : 'Nothing boosted right now'}
        >
          <StatusPill state={state} stats={null} />
        </ViewHeader>
        <div className="empty panel">
          <h3>Pick a game to boost</h3>
          <p className="muted">
            LightSpeed picks the fastest relay, protects your traffic with forward error correction and shows
            the route live here.
          </p>
          <button type="button" className="btn btn-primary" onClick={() => actions.navigate('library')}>
            Open Library
          </button>
        </div>
        <LastDiagnosis />
        <RecentSessions />
      </section>
    );
  }

  const relay = relayOf(state) ?? stats?.relay ?? null;
  const reason =
    state.state === 'degraded' || state.state === 'failing-over' || state.state === 'error'
      ? state.reason
      : null;
  const route = session?.routes[0];
  const capture = session?.capture;

  return (
    <section className="view" aria-labelledby="session-title">
      <div className="hero panel">
        <div className="hero-main">
          <p className="eyebrow">Boosting</p>
          <h2 id="session-title" tabIndex={-1}>
            {session?.name ?? 'Session'}
          </h2>
          <div className="hero-meta">
            <StatusPill state={state} stats={stats} large />
            {session && <span className="meta">{formatElapsed(now - session.startedAtMs)}</span>}
          </div>
          {reason && (
            <p className="hero-reason" role="alert">
              {reason}
            </p>
          )}
        </div>
        <dl className="route" aria-label="Route">
          <div>
            <dt>Relay</dt>
            <dd data-testid="current-relay">{relay ? relay.id : '—'}</dd>
          </div>
          <div>
            <dt>Region</dt>
            <dd>{relay?.region ?? '—'}</dd>
          </div>
          {session?.mesh && <MeshRoute mesh={session.mesh} />}
          {capture ? (
            <CaptureRoute capture={capture} />
          ) : (
            <>
              <div>
                <dt>Game server</dt>
                <dd>
                  <code>{session?.server ?? '—'}</code>
                </dd>
              </div>
              <div>
                <dt>Point your game at</dt>
                <dd>
                  <code>{route ? `127.0.0.1:${route.localPort}` : '—'}</code>
                </dd>
              </div>
            </>
          )}
        </dl>
        <div className="hero-actions">
          <button
            type="button"
            className="btn btn-danger"
            onClick={() => void actions.stopBoost()}
            disabled={pending === 'stopping'}
          >
            {pending === 'stopping' ? 'Stopping…' : 'Stop'}
          </button>
        </div>
      </div>

      {session && <DirectCompare server={session.server} direct={session.direct} />}

      <div className="tiles" aria-label="Live statistics">
        <StatTile
          label="Ping"
          tone="accent"
          value={formatMs(stats?.rtt?.p50)}
          detail={
            stats?.rtt
              ? `min ${formatMs(stats.rtt.min)} · p95 ${formatMs(stats.rtt.p95)}`
              : 'median round trip'
          }
        />
        <StatTile label="Jitter" value={formatMs(stats?.jitterMs)} detail="interarrival variation" />
        <StatTile
          label="Loss before FEC"
          tone={lossTone(stats?.lossDown)}
          value={formatPct(stats?.lossDown)}
          detail={`keepalives lost ${formatPct(stats?.lossUp)} (10 s)`}
        />
        <StatTile
          label="Loss after FEC"
          tone={lossTone(stats?.lossDownAfterFec)}
          value={formatPct(stats?.lossDownAfterFec)}
          detail="what your game sees"
        />
        <StatTile
          label="FEC recoveries"
          tone="good"
          value={formatCount(stats?.fecRecovered)}
          detail="packets rebuilt, no resend"
        />
        <StatTile
          label="Packets"
          value={formatCount(stats ? stats.packetsUp + stats.packetsDown : null)}
          detail={`${formatCount(stats?.packetsUp)} up · ${formatCount(stats?.packetsDown)} down`}
        />
      </div>

      <div className="charts">
        <div className="panel chart-panel">
          <RttChart history={history} />
        </div>
        <div className="panel chart-panel">
          <LossChart history={history} />
        </div>
      </div>
    </section>
  );
}
