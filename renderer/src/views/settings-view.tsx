/**
 * Settings: mode, FEC level, keepalive interval, and where relays come from (LightSpeed's registry, and the
 * user's own list or registry URL).
 */
import {
  FEC_LEVELS,
  type FecLevel,
  type RelayEndpoint,
  type Settings,
  type SettingsPatch,
} from '@lightspeed/shared';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';

import { useActions, useBoost, useSettings } from '../store/hooks.js';
import { hostPortProblem } from './library-view.js';
import { ViewHeader } from '../components/view-header.js';
import { FecMeasured } from '../components/fec-measured.js';
import { RelaySources } from '../components/relay-sources.js';
import { RouteSelectorSetting } from '../components/route-selector-setting.js';
import { MeshSetting } from '../components/mesh-setting.js';

const FEC_TEXT: Record<FecLevel, { title: string; detail: string }> = {
  off: { title: 'Off', detail: 'No parity; lowest bandwidth' },
  light: { title: 'Light', detail: 'XOR parity per block of ≤ 8, closed after 5 ms · ~2× bytes at 128 pps' },
  balanced: { title: 'Balanced', detail: 'Adaptive: repairs follow the measured loss · up to ~2× bytes' },
  strong: { title: 'Strong', detail: 'Adaptive, larger budget · up to ~3× bytes' },
};

interface RelayRow {
  address: string;
  id: string;
  region: string;
}

const toRows = (relays: RelayEndpoint[]): RelayRow[] =>
  relays.map((r) => ({ address: `${r.host}:${r.port}`, id: r.id ?? '', region: r.region ?? '' }));

/** Rows → relays; returns the first invalid row and its problem instead. */
export function rowsToRelays(rows: RelayRow[]): RelayEndpoint[] | { row: number; problem: string } {
  const out: RelayEndpoint[] = [];
  for (const [i, row] of rows.entries()) {
    const address = row.address.trim();
    if (address === '' && row.id.trim() === '' && row.region.trim() === '') continue;
    const problem = hostPortProblem(address);
    if (problem) return { row: i, problem };
    const at = address.lastIndexOf(':');
    const relay: RelayEndpoint = { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
    if (row.id.trim()) relay.id = row.id.trim();
    if (row.region.trim()) relay.region = row.region.trim();
    out.push(relay);
  }
  return out;
}

type Message = { kind: 'ok' | 'error'; text: string } | null;

/** What the form edits, as typed (numbers stay text until they are checked). */
interface Draft {
  mode: Settings['mode'];
  fecLevel: FecLevel;
  keepalive: string;
  defaultRegistry: boolean;
  relaySource: Settings['relaySource'];
  rows: RelayRow[];
  registryUrl: string;
  registryKey: string;
}
type DraftField = keyof Draft;
type FieldErrors = Partial<Record<'keepalive' | 'registryUrl' | 'registryKey' | `relay-${number}`, string>>;

const draftOf = (s: Settings): Draft => ({
  mode: s.mode,
  fecLevel: s.fecLevel,
  keepalive: String(s.keepaliveIntervalMs),
  defaultRegistry: s.defaultRegistry,
  relaySource: s.relaySource,
  rows: toRows(s.relays),
  registryUrl: s.registryUrl ?? '',
  registryKey: s.registryKey ?? '',
});

/**
 * Edits not saved yet (per app instance: keyed by its actions), kept when the form goes away (another view, or settings changed elsewhere — a
 * pinned relay, another window): they come back, on top of the newest settings, instead of vanishing.
 */
const unsavedByApp = new WeakMap<object, { draft: Draft; edited: Set<DraftField> }>();

/** Checks the draft: the settings patch of the edited fields, or the problem of each bad field. */
function checkDraft(d: Draft, edited: ReadonlySet<DraftField>): SettingsPatch | FieldErrors {
  const errors: FieldErrors = {};
  const keepaliveMs = Number(d.keepalive);
  if (!Number.isInteger(keepaliveMs) || keepaliveMs < 100 || keepaliveMs > 10_000)
    errors.keepalive = 'A whole number of milliseconds, 100–10000';
  const relays = rowsToRelays(d.rows);
  if (!Array.isArray(relays)) errors[`relay-${relays.row}`] = relays.problem;
  const url = d.registryUrl.trim();
  const key = d.registryKey.trim();
  if (d.relaySource === 'registry') {
    if (!/^https?:\/\/\S+$/.test(url)) errors.registryUrl = 'An http:// or https:// address';
    if (!/^(?:[A-Za-z0-9+/]{43}=|[0-9a-fA-F]{64})$/.test(key))
      errors.registryKey = "The registry's Ed25519 public key: 32 bytes as base64 or hex";
  }
  if (Object.keys(errors).length > 0 || !Array.isArray(relays)) return errors;
  const full: SettingsPatch = {
    mode: d.mode,
    fecLevel: d.fecLevel,
    keepaliveIntervalMs: keepaliveMs,
    defaultRegistry: d.defaultRegistry,
    relaySource: d.relaySource,
    relays,
    registryUrl: url === '' ? null : url,
    registryKey: key === '' ? null : key,
  };
  // Only what the user changed: a field changed elsewhere meanwhile keeps its newer value.
  const touched = new Set<keyof SettingsPatch>(
    [...edited].flatMap((f): (keyof SettingsPatch)[] =>
      f === 'keepalive' ? ['keepaliveIntervalMs'] : f === 'rows' ? ['relays'] : [f],
    ),
  );
  return Object.fromEntries(Object.entries(full).filter(([k]) => touched.has(k as keyof SettingsPatch)));
}

const isPatch = (r: SettingsPatch | FieldErrors): r is SettingsPatch =>
  !Object.keys(r).some(
    (k) => k === 'keepalive' || k === 'registryUrl' || k === 'registryKey' || k.startsWith('relay-'),
  );

function SettingsForm({
  settings,
  message,
  setMessage,
}: {
  settings: Settings;
  message: Message;
  setMessage: (m: Message) => void;
}) {
  const actions = useActions();
  const saving = useSettings((s) => s.saving);
  const fecStats = useBoost((b) => b.stats);
  const id = useId();
  // Restore kept edits on top of the newest settings; an edit that now equals the setting (it was saved,
  // or made elsewhere too) is no longer an edit.
  const [initial] = useState(() => {
    const fresh = draftOf(settings);
    const kept = unsavedByApp.get(actions);
    const edits = new Set(
      [...(kept?.edited ?? [])].filter((f) => JSON.stringify(kept!.draft[f]) !== JSON.stringify(fresh[f])),
    );
    const merged = { ...fresh } as Record<DraftField, unknown>;
    for (const f of edits) merged[f] = kept!.draft[f];
    return { draft: merged as unknown as Draft, edited: edits };
  });
  const [edited, setEdited] = useState<Set<DraftField>>(initial.edited);
  const [draft, setDraft] = useState<Draft>(initial.draft);
  const [errors, setErrors] = useState<FieldErrors>({});
  const dirty = edited.size > 0;
  const { mode, fecLevel, keepalive, defaultRegistry, relaySource, rows, registryUrl, registryKey } = draft;
  const edit = <K extends DraftField>(field: K, value: Draft[K] | ((v: Draft[K]) => Draft[K])): void => {
    setDraft((d) => ({
      ...d,
      [field]: typeof value === 'function' ? value(d[field]) : value,
    }));
    setEdited((e) => new Set(e).add(field));
  };
  const setMode = (v: Draft['mode']): void => edit('mode', v);
  const setFecLevel = (v: FecLevel): void => edit('fecLevel', v);
  const setKeepalive = (v: string): void => edit('keepalive', v);
  const setDefaultRegistry = (v: boolean): void => edit('defaultRegistry', v);
  const setRelaySource = (v: Draft['relaySource']): void => edit('relaySource', v);
  const setRows = (v: RelayRow[] | ((rs: RelayRow[]) => RelayRow[])): void => edit('rows', v);
  const setRegistryUrl = (v: string): void => edit('registryUrl', v);
  const setRegistryKey = (v: string): void => edit('registryKey', v);

  // Leaving with edits keeps them (see `unsavedByApp`); leaving clean forgets any.
  const latest = useRef({ draft, edited });
  latest.current = { draft, edited };
  useEffect(
    () => () => {
      if (latest.current.edited.size > 0) unsavedByApp.set(actions, latest.current);
      else unsavedByApp.delete(actions);
    },
    [actions],
  );

  const invalid = (field: keyof FieldErrors) => ({
    'aria-invalid': errors[field] !== undefined ? ('true' as const) : undefined,
    'aria-describedby': errors[field] !== undefined ? `${id}-${field}-error` : undefined,
  });
  const fieldError = (field: keyof FieldErrors) =>
    errors[field] === undefined ? null : (
      <p id={`${id}-${field}-error`} className="field-error">
        {errors[field]}
      </p>
    );

  const discard = (): void => {
    unsavedByApp.delete(actions);
    setDraft(draftOf(settings));
    setEdited(new Set());
    setErrors({});
    setMessage(null);
  };

  const save = async (ev: FormEvent) => {
    ev.preventDefault();
    const checked = checkDraft(draft, edited);
    if (!isPatch(checked)) {
      setErrors(checked);
      setMessage({ kind: 'error', text: 'Fix the highlighted fields; nothing was saved.' });
      return;
    }
    setErrors({});
    const error = await actions.saveSettings(checked);
    if (error === null) {
      unsavedByApp.delete(actions);
      setEdited(new Set());
    }
    setMessage(error === null ? { kind: 'ok', text: 'Saved' } : { kind: 'error', text: error });
  };

  const setRow = (i: number, part: Partial<RelayRow>) =>
    setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...part } : r)));

  return (
    <form className="settings" onSubmit={(ev) => void save(ev)} aria-labelledby="settings-title" noValidate>
      <fieldset className="panel">
        <legend>Mode</legend>
        <div className="choice-grid choice-2">
          {(
            [
              ['redirect', 'Redirect', 'Your game connects to 127.0.0.1; no admin rights needed.'],
              [
                'capture',
                'Capture',
                'Takes the running game’s own traffic, no address needed; a small helper asks for network rights at each Boost.',
              ],
            ] as const
          ).map(([value, title, detail]) => (
            <label key={value} className={`choice${mode === value ? ' is-selected' : ''}`}>
              <input
                type="radio"
                name={`${id}-mode`}
                value={value}
                checked={mode === value}
                onChange={() => setMode(value)}
              />
              <span className="choice-title">{title}</span>
              <span className="choice-detail">{detail}</span>
            </label>
          ))}
        </div>
      </fieldset>

      <fieldset className="panel">
        <legend>Forward error correction</legend>
        <div className="choice-grid choice-4">
          {FEC_LEVELS.map((level) => (
            <label key={level} className={`choice${fecLevel === level ? ' is-selected' : ''}`}>
              <input
                type="radio"
                name={`${id}-fec`}
                value={level}
                checked={fecLevel === level}
                onChange={() => setFecLevel(level)}
              />
              <span className="choice-title">{FEC_TEXT[level].title}</span>
              <span className="choice-detail">{FEC_TEXT[level].detail}</span>
            </label>
          ))}
        </div>
        <FecMeasured stats={fecStats} />
      </fieldset>

      <fieldset className="panel">
        <legend>Connection</legend>
        <div className="field field-inline">
          <label htmlFor={`${id}-keepalive`}>Keepalive interval (ms)</label>
          <input
            id={`${id}-keepalive`}
            type="number"
            min={100}
            max={10000}
            step={50}
            inputMode="numeric"
            value={keepalive}
            onChange={(e) => setKeepalive(e.target.value)}
            {...invalid('keepalive')}
          />
          {fieldError('keepalive')}
          <span className="muted">
            Shorter detects a dead relay sooner; 3 missed keepalives trigger failover.
          </span>
        </div>
      </fieldset>

      <RouteSelectorSetting />

      <MeshSetting />

      <fieldset className="panel">
        <legend>Relays</legend>
        <label>
          <input
            type="checkbox"
            checked={defaultRegistry}
            onChange={(e) => setDefaultRegistry(e.target.checked)}
            aria-describedby={`${id}-default-registry-hint`}
          />
          LightSpeed&apos;s relays
        </label>
        <p id={`${id}-default-registry-hint`} className="muted">
          From LightSpeed&apos;s signed relay registry, used alongside your own relays below. How to run your
          own relay or registry: <code>docs/relays.md</code>.
        </p>
        <RelaySources />
        <div className="segmented" role="radiogroup" aria-label="Your relays">
          {(
            [
              ['list', 'My list'],
              ['registry', 'Registry URL'],
            ] as const
          ).map(([value, title]) => (
            <label key={value} className={relaySource === value ? 'is-selected' : ''}>
              <input
                type="radio"
                name={`${id}-source`}
                value={value}
                checked={relaySource === value}
                onChange={() => setRelaySource(value)}
              />
              {title}
            </label>
          ))}
        </div>
        {relaySource === 'list' ? (
          <div className="relay-editor">
            {rows.map((row, i) => (
              <div className="relay-edit-row" key={i} role="group" aria-label={`Relay ${i + 1}`}>
                <input
                  aria-label={`Relay ${i + 1} address (host:port)`}
                  placeholder="relay.example.net:4500"
                  value={row.address}
                  onChange={(e) => setRow(i, { address: e.target.value })}
                  spellCheck={false}
                  {...invalid(`relay-${i}`)}
                />
                <input
                  aria-label={`Relay ${i + 1} name`}
                  placeholder="name (optional)"
                  value={row.id}
                  onChange={(e) => setRow(i, { id: e.target.value })}
                />
                <input
                  aria-label={`Relay ${i + 1} region`}
                  placeholder="region (optional)"
                  value={row.region}
                  onChange={(e) => setRow(i, { region: e.target.value })}
                />
                <button
                  type="button"
                  className="btn btn-ghost btn-icon"
                  aria-label={`Remove relay ${i + 1}`}
                  onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}
                >
                  ×
                </button>
                {fieldError(`relay-${i}`)}
              </div>
            ))}
            <button
              type="button"
              className="btn btn-ghost"
              onClick={() => setRows((rs) => [...rs, { address: '', id: '', region: '' }])}
            >
              + Add relay
            </button>
          </div>
        ) : (
          <div className="field">
            <label htmlFor={`${id}-registry`}>Registry URL</label>
            <input
              id={`${id}-registry`}
              type="url"
              placeholder="https://relays.example.net/relays.json"
              value={registryUrl}
              onChange={(e) => setRegistryUrl(e.target.value)}
              spellCheck={false}
              {...invalid('registryUrl')}
            />
            {fieldError('registryUrl')}
            <label htmlFor={`${id}-registry-key`}>Registry public key</label>
            <input
              id={`${id}-registry-key`}
              type="text"
              placeholder="Ed25519 key, base64"
              value={registryKey}
              onChange={(e) => setRegistryKey(e.target.value)}
              spellCheck={false}
              aria-describedby={`${id}-registry-key-hint`}
              {...(errors.registryKey === undefined
                ? {}
                : {
                    'aria-invalid': 'true' as const,
                    'aria-describedby': `${id}-registry-key-hint ${id}-registryKey-error`,
                  })}
            />
            {fieldError('registryKey')}
            <p id={`${id}-registry-key-hint`} className="muted">
              A registry that this key did not sign, or that has expired, is refused.
            </p>
          </div>
        )}
      </fieldset>

      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save settings'}
        </button>
        {dirty && (
          <>
            <span className="badge" data-testid="unsaved">
              Unsaved changes
            </span>
            <button type="button" className="btn btn-ghost" onClick={discard}>
              Discard
            </button>
          </>
        )}
        <p
          className={`form-message${message?.kind === 'error' ? ' is-error' : ''}`}
          role="status"
          aria-live="polite"
        >
          {message?.text ?? ''}
        </p>
      </div>
    </form>
  );
}

export function SettingsView() {
  const settings = useSettings((s) => s.value);
  const [message, setMessage] = useState<Message>(null);
  // Re-mount the form when settings change (saved here, or elsewhere: another window, the tray).
  const [version, setVersion] = useState(0);
  useEffect(() => setVersion((v) => v + 1), [settings]);
  return (
    <section className="view" aria-labelledby="settings-title">
      <ViewHeader id="settings-title" title="Settings" sub="Applied to the next boost session." />
      {settings ? (
        <SettingsForm key={version} settings={settings} message={message} setMessage={setMessage} />
      ) : (
        <p className="muted">Loading…</p>
      )}
    </section>
  );
}
