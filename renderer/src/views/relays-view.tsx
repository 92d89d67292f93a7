/** Relays: ping and loss per relay from the last probe; pick one or let LightSpeed choose (Auto). */
import type { RelayView } from '@lightspeed/shared';

import { formatMs, formatPct, relayOf } from '../format.js';
import { useActions, useBoost, useRelays } from '../store/hooks.js';
import { RelaySources } from '../components/relay-sources.js';
import { ViewHeader } from '../components/view-header.js';

function quality(r: RelayView): 'good' | 'degraded' | 'bad' | 'idle' {
  if (r.reachable === null) return 'idle';
  if (!r.reachable) return 'bad';
  if ((r.loss ?? 0) > 0.02 || (r.rttMs ?? 0) > 100) return 'degraded';
  return 'good';
}

export function RelaysView() {
  const view = useRelays((r) => r.view);
  const state = useBoost((b) => b.status.state);
  const actions = useActions();
  const current = relayOf(state)?.id ?? null;
  const best = view.relays
    .filter((r) => r.reachable && r.rttMs !== null)
    .sort((a, b) => (a.rttMs ?? 0) - (b.rttMs ?? 0))[0]?.relay.id;

  return (
    <section className="view" aria-labelledby="relays-title">
      <ViewHeader
        id="relays-title"
        title="Relays"
        sub="Measured with keepalive probes. Auto picks the fastest and fails over on its own."
      >
        <div className="view-tools">
          <button
            type="button"
            className="btn btn-ghost"
            onClick={() => void actions.probeRelays()}
            disabled={view.probing}
            aria-busy={view.probing}
          >
            {view.probing ? 'Probing…' : 'Probe now'}
          </button>
        </div>
      </ViewHeader>

      {view.relays.length === 0 ? (
        <div className="empty panel">
          <h3>No relays</h3>
          <RelaySources />
          <p className="muted">Add relay addresses or a registry URL in Settings.</p>
          <button type="button" className="btn btn-primary" onClick={() => actions.navigate('settings')}>
            Open Settings
          </button>
        </div>
      ) : (
        <>
          <RelaySources />
          <fieldset className="relay-list panel">
            <legend className="sr-only">Relay selection</legend>
            <label className={`relay-row${view.pinned === null ? ' is-selected' : ''}`}>
              <input
                type="radio"
                name="relay"
                checked={view.pinned === null}
                onChange={() => void actions.pinRelay(null)}
              />
              <span className="relay-name">
                <strong>Auto</strong>
                <span className="muted">Lowest latency{best ? ` · now ${best}` : ''}</span>
              </span>
              <span className="relay-metric" />
              <span className="relay-metric" />
              <span className="relay-flag" />
            </label>
            {view.relays.map((r) => {
              const q = quality(r);
              return (
                <label
                  key={r.relay.id}
                  className={`relay-row${view.pinned === r.relay.id ? ' is-selected' : ''}`}
                  data-relay-id={r.relay.id}
                >
                  <input
                    type="radio"
                    name="relay"
                    checked={view.pinned === r.relay.id}
                    onChange={() => void actions.pinRelay(r.relay.id)}
                    aria-label={`Pin ${r.relay.id}${r.relay.region ? ` (${r.relay.region})` : ''}`}
                  />
                  <span className="relay-name">
                    <strong>
                      <span className={`health-dot health-${q}`} aria-hidden="true" /> {r.relay.id}
                    </strong>
                    <span className="muted">
                      {r.relay.region ? `${r.relay.region} · ` : ''}
                      <code>{r.relay.address}</code>
                    </span>
                  </span>
                  <span className="relay-metric" aria-label="Ping">
                    <span className="metric-label">Ping</span>{' '}
                    {r.reachable === false ? 'unreachable' : formatMs(r.rttMs)}
                  </span>
                  <span className="relay-metric" aria-label="Loss">
                    <span className="metric-label">Loss</span> {formatPct(r.loss)}
                  </span>
                  <span className="relay-flag">
                    {current === r.relay.id && <span className="badge badge-good">In use</span>}
                  </span>
                </label>
              );
            })}
          </fieldset>
        </>
      )}
    </section>
  );
}
