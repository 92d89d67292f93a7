/** Settings → Route choice: the learned selector (default) or nearest; saved as soon as it is picked. */
import { ROUTE_SELECTORS, type RouteSelectorName } from '@lightspeed/shared';
import { useId, useState } from 'react';

import { useActions, useSettings } from '../store/hooks.js';

const TEXT: Record<RouteSelectorName, { title: string; detail: string }> = {
  ml: {
    title: 'Learned',
    detail:
      'Predicts each relay’s whole path to the game server (our relays report their own leg); re-checks every 2 s and learns from your sessions. Falls back to nearest when it knows nothing yet.',
  },
  nearest: { title: 'Nearest', detail: 'The relay with the lowest ping from here, chosen once' },
};

export function RouteSelectorSetting() {
  const value = useSettings((s) => s.value?.routeSelector ?? 'ml');
  const saving = useSettings((s) => s.saving);
  const actions = useActions();
  const id = useId();
  // A save the main side refused (e.g. an unwritable settings file) is said here, next to the choice.
  const [error, setError] = useState<string | null>(null);
  return (
    <fieldset className="panel" aria-label="Route choice">
      <legend>Route choice</legend>
      <div className="choice-grid">
        {ROUTE_SELECTORS.map((name) => (
          <label key={name} className={`choice${value === name ? ' is-selected' : ''}`}>
            <input
              type="radio"
              name={`${id}-selector`}
              value={name}
              checked={value === name}
              disabled={saving}
              onChange={() => void actions.saveSettings({ routeSelector: name }).then(setError)}
            />
            <span className="choice-title">{TEXT[name].title}</span>
            <span className="choice-detail">{TEXT[name].detail}</span>
          </label>
        ))}
      </div>
      {error === null ? (
        <span className="muted">Saved at once; used from the next boost.</span>
      ) : (
        <span className="hero-reason" role="alert">
          Not saved: {error}
        </span>
      )}
    </fieldset>
  );
}
