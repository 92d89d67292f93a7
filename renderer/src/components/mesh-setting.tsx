/**
 * Settings → Relay mesh: off (one relay), auto (the mesh's exit nearest the game server) or a named exit,
 * and multipath; saved as soon as it is picked, used from the next boost (redirect or capture mode).
 */
import { useEffect, useId, useState } from 'react';

import { useActions, useSettings } from '../store/hooks.js';

type Choice = 'off' | 'auto' | 'node';

const TEXT: Record<Choice, { title: string; detail: string }> = {
  off: { title: 'Off', detail: 'One relay, as every relay works' },
  auto: {
    title: 'Automatic exit',
    detail:
      'Enter near you, leave at the mesh relay nearest the game server; the server keeps seeing one address when the entry changes. One relay as before where no relay is a mesh node.',
  },
  node: { title: 'This exit', detail: 'Leave the mesh at the relay you name (its node id)' },
};

const NODE_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function MeshSetting() {
  const exit = useSettings((s) => s.value?.meshExit ?? 'off');
  const multipath = useSettings((s) => s.value?.multipath ?? false);
  const saving = useSettings((s) => s.saving);
  const actions = useActions();
  const id = useId();
  const choice: Choice = exit === 'off' || exit === 'auto' ? exit : 'node';
  const [node, setNode] = useState(choice === 'node' ? exit : '');
  const [picked, setPicked] = useState<Choice>(choice);
  useEffect(() => setPicked(choice), [choice]);
  const nodeOk = NODE_ID.test(node) && node !== 'off' && node !== 'auto';
  return (
    <fieldset className="panel" aria-label="Relay mesh">
      <legend>Relay mesh</legend>
      <div className="choice-grid">
        {(['off', 'auto', 'node'] as const).map((c) => (
          <label key={c} className={`choice${picked === c ? ' is-selected' : ''}`}>
            <input
              type="radio"
              name={`${id}-mesh`}
              value={c}
              checked={picked === c}
              disabled={saving}
              onChange={() => {
                setPicked(c);
                if (c !== 'node') void actions.saveSettings({ meshExit: c });
                else if (nodeOk) void actions.saveSettings({ meshExit: node });
              }}
            />
            <span className="choice-title">{TEXT[c].title}</span>
            <span className="choice-detail">{TEXT[c].detail}</span>
          </label>
        ))}
      </div>
      {picked === 'node' && (
        <div className="field">
          <label htmlFor={`${id}-exit`}>Exit node id</label>
          <input
            id={`${id}-exit`}
            value={node}
            placeholder="lon-1"
            onChange={(e) => setNode(e.target.value.trim())}
            aria-invalid={node !== '' && !nodeOk}
          />
          <button
            type="button"
            className="btn"
            disabled={saving || !nodeOk || node === exit}
            onClick={() => void actions.saveSettings({ meshExit: node })}
          >
            Use this exit
          </button>
        </div>
      )}
      <label>
        <input
          type="checkbox"
          checked={multipath}
          disabled={saving || exit === 'off'}
          onChange={(e) => void actions.saveSettings({ multipath: e.target.checked })}
        />{' '}
        Multipath: every packet through two entries (no gap when one dies; twice the upload)
      </label>
      <span className="muted">Saved at once; used from the next boost, in redirect and capture mode.</span>
    </fieldset>
  );
}
