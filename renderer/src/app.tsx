/** The shell: sidebar navigation, a status strip, the current view, notices and the first-run dialog. */
import { useEffect, useRef, type ReactNode } from 'react';

import { StatusPill } from './components/status-pill.js';
import { formatMs } from './format.js';
import type { ViewName } from './store/slices.js';
import { useActions, useApp, useBoost, useSettings } from './store/hooks.js';
import { FirstRun } from './views/first-run.js';
import { LibraryView } from './views/library-view.js';
import { RelaysView } from './views/relays-view.js';
import { SessionView } from './views/session-view.js';
import { SettingsView } from './views/settings-view.js';

const NAV: { view: ViewName; label: string; icon: ReactNode }[] = [
  {
    view: 'library',
    label: 'Library',
    icon: <path d="M4 5h6v6H4zM14 5h6v6h-6zM4 15h6v6H4zM14 15h6v6h-6z" />,
  },
  { view: 'session', label: 'Session', icon: <path d="M3 17l5-6 4 4 4-7 5 9" /> },
  { view: 'relays', label: 'Relays', icon: <path d="M12 3v18M5 8l7-5 7 5M5 16l7 5 7-5" /> },
  { view: 'settings', label: 'Settings', icon: <path d="M4 7h10M18 7h2M4 17h4M12 17h8M14 4v6M8 14v6" /> },
];

function Sidebar() {
  const view = useApp((a) => a.view);
  const info = useApp((a) => a.info);
  const live = useBoost((b) => b.status.session !== null);
  const actions = useActions();
  return (
    <aside className="sidebar">
      <div className="brand">
        <div className="brand-mark" aria-hidden="true" />
        <div>
          <div className="brand-name">LightSpeed</div>
          <div className="brand-sub">{info?.demo ? 'Demo' : 'Game booster'}</div>
        </div>
      </div>
      <nav aria-label="Main">
        <ul>
          {NAV.map((item, i) => (
            <li key={item.view}>
              <button
                type="button"
                className={`nav-item${view === item.view ? ' is-active' : ''}`}
                aria-current={view === item.view ? 'page' : undefined}
                aria-keyshortcuts={`Alt+${i + 1}`}
                onClick={() => actions.navigate(item.view)}
              >
                <svg viewBox="0 0 24 24" aria-hidden="true">
                  {item.icon}
                </svg>
                {item.label}
                {item.view === 'session' && live && <span className="live-dot" aria-label="live" />}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <div className="sidebar-foot">
        <span className="muted">{info ? `v${info.version} · ${info.shell}` : ''}</span>
      </div>
    </aside>
  );
}

function StatusStrip() {
  const status = useBoost((b) => b.status);
  const stats = useBoost((b) => b.stats);
  const connection = useApp((a) => a.connection);
  const actions = useActions();
  return (
    <header className="strip">
      <div className="strip-left">
        <StatusPill state={status.state} stats={stats} />
        {status.session && (
          <button type="button" className="strip-link" onClick={() => actions.navigate('session')}>
            {status.session.name}
            {stats?.rtt ? ` · ${formatMs(stats.rtt.p50)}` : ''}
          </button>
        )}
      </div>
      {connection !== 'ready' && (
        <span className={`conn conn-${connection}`} role="status">
          {connection === 'loading'
            ? 'Connecting to LightSpeed…'
            : connection === 'reconnecting'
              ? 'Connection lost — reconnecting…'
              : 'Cannot reach LightSpeed'}
        </span>
      )}
    </header>
  );
}

function Notices() {
  const notices = useApp((a) => a.notices);
  const actions = useActions();
  return (
    <div className="notices" aria-live="assertive">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'}>
          <span>{n.text}</span>
          <button
            type="button"
            className="btn btn-ghost btn-icon"
            aria-label="Dismiss"
            onClick={() => actions.dismissNotice(n.id)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

export function App() {
  const view = useApp((a) => a.view);
  const settings = useSettings((s) => s.value);
  const actions = useActions();

  // Keyboard and screen-reader users land on the new view's heading, not on a button that vanished.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('.content h2')?.focus();
  }, [view]);

  useEffect(() => {
    const onKey = (ev: KeyboardEvent) => {
      if (!ev.altKey || ev.ctrlKey || ev.metaKey) return;
      const item = NAV[Number(ev.key) - 1];
      if (item) {
        ev.preventDefault();
        actions.navigate(item.view);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [actions]);

  return (
    <div className="app">
      <Sidebar />
      <main className="main">
        <StatusStrip />
        <div className="content">
          {view === 'library' && <LibraryView />}
          {view === 'session' && <SessionView />}
          {view === 'relays' && <RelaysView />}
          {view === 'settings' && <SettingsView />}
        </div>
        <Notices />
      </main>
      {settings && !settings.firstRunComplete && <FirstRun />}
    </div>
  );
}
