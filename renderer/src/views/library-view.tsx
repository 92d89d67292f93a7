/** Library: the games found on this machine (and added by hand), each with one Boost button. */
import type { GameView } from '@lightspeed/shared';
import { useId, useState, type FormEvent } from 'react';

import { GameArt } from '../components/game-art.js';
import { useActions, useBoost, useGames } from '../store/hooks.js';
import { ViewHeader } from '../components/view-header.js';

const HOST_PORT = /^[A-Za-z0-9.-]+:[0-9]{1,5}$/;

/** Checks `host:port` the way the contract does; returns the problem or null. */
export function hostPortProblem(text: string): string | null {
  if (!HOST_PORT.test(text)) return 'Use host:port, e.g. 203.0.113.7:7777';
  const port = Number(text.slice(text.lastIndexOf(':') + 1));
  return port >= 1 && port <= 65535 ? null : 'Port must be 1–65535';
}

function ServerForm({
  label,
  submitLabel,
  onSubmit,
  withName = false,
}: {
  label: string;
  submitLabel: string;
  onSubmit: (server: string, name: string) => Promise<void>;
  withName?: boolean;
}) {
  const id = useId();
  const [server, setServer] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    const problem = hostPortProblem(server.trim());
    if (problem) return setError(problem);
    if (withName && name.trim() === '') return setError('Give the game a name');
    setBusy(true);
    try {
      await onSubmit(server.trim(), name.trim());
      setServer('');
      setName('');
      setError(null);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="server-form" onSubmit={(ev) => void submit(ev)} aria-label={label} noValidate>
      {withName && (
        <div className="field">
          <label htmlFor={`${id}-name`}>Game name</label>
          <input
            id={`${id}-name`}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="My game"
            autoComplete="off"
          />
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-server`}>Game server (host:port)</label>
        <input
          id={`${id}-server`}
          value={server}
          onChange={(e) => setServer(e.target.value)}
          placeholder="203.0.113.7:7777"
          autoComplete="off"
          spellCheck={false}
          aria-invalid={error !== null}
          aria-describedby={error ? `${id}-error` : undefined}
        />
      </div>
      <button type="submit" className="btn btn-secondary" disabled={busy}>
        {submitLabel}
      </button>
      {error && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function GameCard({ game }: { game: GameView }) {
  const actions = useActions();
  const pending = useBoost((b) => b.pending);
  const session = useBoost((b) => b.status.session);
  const state = useBoost((b) => b.status.state.state);
  const error = useBoost((b) => b.error);
  const diagnosing = useBoost((b) => b.diagnosis.running);
  const headingId = useId();
  const boosting = session?.gameId === game.id && state !== 'idle' && state !== 'stopped';
  const needsServer = error?.code === 'needs-server' && error.gameId === game.id;
  const busyElsewhere = session !== null && !boosting && state !== 'error' && state !== 'stopped';

  return (
    <article
      className={`game-card${boosting ? ' is-boosting' : ''}`}
      aria-labelledby={headingId}
      data-game-id={game.id}
    >
      <GameArt id={game.id} name={game.name} />
      <div className="game-body">
        <h3 id={headingId}>{game.name}</h3>
        <div className="badges">
          {game.source === 'demo' && <span className="badge badge-accent">Demo</span>}
          {game.running && <span className="badge badge-good">Running</span>}
        </div>
        {game.detail && <p className="game-detail">{game.detail}</p>}
        <p className="game-server">
          {game.servers.length > 0 ? (
            <>
              Server <code>{game.servers[0]}</code>
            </>
          ) : (
            'No game server yet'
          )}
        </p>
      </div>
      <div className="game-actions">
        {boosting ? (
          <button type="button" className="btn btn-live" onClick={() => actions.navigate('session')}>
            <span className="dot" aria-hidden="true" /> Live
          </button>
        ) : (
          <button
            type="button"
            className="btn btn-primary"
            aria-label={`Boost ${game.name}`}
            disabled={pending !== null || busyElsewhere}
            onClick={() => void actions.startBoost({ kind: 'game', gameId: game.id })}
          >
            {pending === 'starting' ? 'Starting…' : 'Boost'}
          </button>
        )}
        {!boosting && game.servers[0] !== undefined && (
          <button
            type="button"
            className="btn btn-secondary"
            aria-label={`Compare ${game.name} with direct`}
            title="Is boosting worth it? Measures the direct path to this server against each relay path"
            disabled={diagnosing}
            onClick={() => {
              actions.navigate('session');
              void actions.diagnose(game.servers[0]!);
            }}
          >
            Compare
          </button>
        )}
      </div>
      {needsServer && (
        <div className="needs-server">
          <p>{error.message}</p>
          <ServerForm
            label={`Add a game server for ${game.name}`}
            submitLabel="Add and boost"
            onSubmit={async (server) => {
              await actions.addServer({ gameId: game.id, server });
              await actions.startBoost({ kind: 'game', gameId: game.id });
            }}
          />
        </div>
      )}
    </article>
  );
}

export function LibraryView() {
  const view = useGames((g) => g.view);
  const refreshing = useGames((g) => g.refreshing);
  const actions = useActions();
  const [adding, setAdding] = useState(false);

  return (
    <section className="view" aria-labelledby="library-title">
      <ViewHeader
        id="library-title"
        title="Library"
        sub={
          view.scannedAtMs === null
            ? 'Looking for games…'
            : `${view.games.length} ${view.games.length === 1 ? 'game' : 'games'} ready to boost`
        }
      >
        <div className="view-tools">
          <button
            type="button"
            className="btn btn-ghost"
            onClick={() => setAdding((a) => !a)}
            aria-expanded={adding}
            aria-controls="add-game"
          >
            Add game server
          </button>
          <button
            type="button"
            className="btn btn-ghost"
            onClick={() => void actions.refreshGames()}
            disabled={refreshing}
          >
            {refreshing ? 'Scanning…' : 'Rescan'}
          </button>
        </div>
      </ViewHeader>

      {adding && (
        <div id="add-game" className="panel add-game">
          <h3>Add a game server</h3>
          <p className="muted">
            Redirect mode: LightSpeed listens on 127.0.0.1 and carries your game&apos;s UDP traffic to this
            server through the best relay.
          </p>
          <ServerForm
            label="Add a game server"
            submitLabel="Add to Library"
            withName
            onSubmit={async (server, name) => {
              await actions.addServer({ name, server });
              setAdding(false);
            }}
          />
        </div>
      )}

      {view.games.length === 0 && view.scannedAtMs !== null ? (
        <div className="empty panel">
          <h3>No games found</h3>
          <p className="muted">Add a game server by hand to boost any UDP game in redirect mode.</p>
        </div>
      ) : (
        <div className="game-grid" role="list" aria-label="Games">
          {view.games.map((game) => (
            <div role="listitem" key={game.id}>
              <GameCard game={game} />
            </div>
          ))}
        </div>
      )}
    </section>
  );
}
