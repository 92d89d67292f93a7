/** First run: what LightSpeed does, the one choice that matters (mode), then the Library. */
import type { BoostMode } from '@lightspeed/shared';
import { useEffect, useRef, useState } from 'react';

import { trapFocus } from '../components/focus-trap.js';
import { failedSources, sourceLine } from '../components/relay-sources.js';
import { useActions, useApp, useRelays } from '../store/hooks.js';

export function FirstRun() {
  const actions = useActions();
  const demo = useApp((a) => a.info?.demo ?? false);
  const [mode, setMode] = useState<BoostMode>('redirect');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // After the registries loaded and the start-up probe: no relay at all (saying which registry failed and
  // why), or every one probed and silent. Still loading or not yet probed: no verdict.
  const relays = useRelays((r) => r.view);
  const loading = relays.probing || (relays.sources ?? []).some((s) => s.loading);
  const failed = failedSources(relays.sources);
  const noRelay =
    !loading && relays.relays.every((r) => r.reachable === false)
      ? relays.relays.length === 0
        ? failed.length > 0
          ? `${failed.map((s) => sourceLine(s)).join('. ')}.`
          : 'No relay is configured yet.'
        : 'None of the configured relays answered.'
      : null;
  const ready = relays.relays.filter((r) => r.reachable === true);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  return (
    <div className="overlay">
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="first-run-title"
        aria-describedby="first-run-intro"
        onKeyDown={trapFocus}
      >
        <div className="brand-mark brand-mark-large" aria-hidden="true" />
        <h2 id="first-run-title" ref={heading} tabIndex={-1}>
          Welcome to LightSpeed
        </h2>
        <p id="first-run-intro" className="muted">
          LightSpeed sends your game&apos;s traffic through the fastest relay and protects it with forward
          error correction, so lost packets are rebuilt instead of resent.
        </p>
        <ol className="steps">
          <li>
            <strong>Pick a game</strong> in your Library and press Boost.
          </li>
          <li>
            <strong>We choose the relay</strong> with the lowest ping, and switch if it degrades.
          </li>
          <li>
            <strong>Watch the route live</strong>: ping, jitter, loss and FEC recoveries.
          </li>
        </ol>
        {demo && (
          <p className="callout">
            Demo mode: a local relay, an echo game server and a lossy link run on this machine. Boost{' '}
            <strong>Demo Arena</strong> to see FEC at work.
          </p>
        )}
        {!demo && ready.length > 0 && (
          <p className="callout" role="status" data-testid="relays-ready">
            <strong>
              {ready.length} relay{ready.length === 1 ? '' : 's'} ready:
            </strong>{' '}
            {ready
              .slice(0, 5)
              .map((r) => (r.relay.region ? `${r.relay.id} (${r.relay.region})` : r.relay.id))
              .join(', ')}
            {ready.length > 5 ? ', …' : ''}. Nothing to set up: pick a game and Boost.
          </p>
        )}
        {noRelay !== null && (
          <div className="callout callout-warn" role="status" data-testid="no-relay">
            <p>
              <strong>{noRelay}</strong> Boosting needs a relay near your game servers: add one (host:port) or
              a signed relay registry in Settings. To run your own on a VPS, see &ldquo;Run your own
              relay&rdquo; in <code>docs/relays.md</code> (the <code>.deb</code> with its systemd unit, and
              how to publish a registry).
            </p>
            <button
              type="button"
              className="btn btn-secondary"
              disabled={busy}
              onClick={() => {
                setBusy(true);
                void actions
                  .finishFirstRun({ mode })
                  .then((e) => {
                    setError(e);
                    if (e === null) actions.navigate('settings');
                  })
                  .finally(() => setBusy(false));
              }}
            >
              Add a relay or a registry
            </button>
          </div>
        )}
        <fieldset className="first-run-mode">
          <legend>How should LightSpeed reach your game?</legend>
          <label className={`choice${mode === 'redirect' ? ' is-selected' : ''}`}>
            <input
              type="radio"
              name="first-run-mode"
              checked={mode === 'redirect'}
              onChange={() => setMode('redirect')}
            />
            <span className="choice-title">Redirect (recommended)</span>
            <span className="choice-detail">Your game connects to 127.0.0.1. No admin rights.</span>
          </label>
          <label className={`choice${mode === 'capture' ? ' is-selected' : ''}`}>
            <input
              type="radio"
              name="first-run-mode"
              checked={mode === 'capture'}
              onChange={() => setMode('capture')}
            />
            <span className="choice-title">Capture</span>
            <span className="choice-detail">
              One-click Boost for running games. Asks for permission at each Boost; only a small helper gets
              it.
            </span>
          </label>
        </fieldset>
        <button
          type="button"
          className="btn btn-primary btn-wide"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            setError(null);
            void actions
              .finishFirstRun({ mode })
              .then(setError)
              .finally(() => setBusy(false));
          }}
        >
          Get started
        </button>
        {error !== null && (
          <p className="field-error" role="alert">
            Your choice could not be saved: {error}
          </p>
        )}
      </div>
    </div>
  );
}
