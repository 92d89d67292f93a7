/** Settings: mode, FEC level, keepalive interval, and where relays come from (a list or a registry URL). */
import {
  FEC_LEVELS,
  type FecLevel,
  type RelayEndpoint,
  type Settings,
  type SettingsPatch,
} from '@lightspeed/shared';
import { useEffect, useId, useState, type FormEvent } from 'react';

import { useActions, useBoost, useSettings } from '../store/hooks.js';
import { hostPortProblem } from './library-view.js';
import { ViewHeader } from '../components/view-header.js';
import { FecMeasured } from '../components/fec-measured.js';

const FEC_TEXT: Record<FecLevel, { title: string; detail: string }> = {
  off: { title: 'Off', detail: 'No parity; lowest bandwidth' },
  light: { title: 'Light', detail: '1 parity per 8 packets · +13%' },
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

/** Rows → relays; returns the first problem instead when a row is invalid. */
export function rowsToRelays(rows: RelayRow[]): RelayEndpoint[] | string {
  const out: RelayEndpoint[] = [];
  for (const [i, row] of rows.entries()) {
    const address = row.address.trim();
    if (address === '' && row.id.trim() === '' && row.region.trim() === '') continue;
    const problem = hostPortProblem(address);
    if (problem) return `Relay ${i + 1}: ${problem}`;
    const at = address.lastIndexOf(':');
    const relay: RelayEndpoint = { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
    if (row.id.trim()) relay.id = row.id.trim();
    if (row.region.trim()) relay.region = row.region.trim();
    out.push(relay);
  }
  return out;
}

type Message = { kind: 'ok' | 'error'; text: string } | null;

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
  const [mode, setMode] = useState(settings.mode);
  const [fecLevel, setFecLevel] = useState(settings.fecLevel);
  const [keepalive, setKeepalive] = useState(String(settings.keepaliveIntervalMs));
  const [relaySource, setRelaySource] = useState(settings.relaySource);
  const [rows, setRows] = useState<RelayRow[]>(() => toRows(settings.relays));
  const [registryUrl, setRegistryUrl] = useState(settings.registryUrl ?? '');
  const [registryKey, setRegistryKey] = useState(settings.registryKey ?? '');

  const save = async (ev: FormEvent) => {
    ev.preventDefault();
    const keepaliveMs = Number(keepalive);
    if (!Number.isInteger(keepaliveMs) || keepaliveMs < 100 || keepaliveMs > 10_000) {
      return setMessage({
        kind: 'error',
        text: 'Keepalive interval: a whole number of milliseconds, 100–10000',
      });
    }
    const relays = rowsToRelays(rows);
    if (typeof relays === 'string') return setMessage({ kind: 'error', text: relays });
    const url = registryUrl.trim();
    if (relaySource === 'registry' && !/^https?:\/\/\S+$/.test(url)) {
      return setMessage({ kind: 'error', text: 'Registry URL: an http:// or https:// address' });
    }
    const key = registryKey.trim();
    if (relaySource === 'registry' && !/^(?:[A-Za-z0-9+/]{43}=|[0-9a-fA-F]{64})$/.test(key)) {
      return setMessage({
        kind: 'error',
        text: "Registry key: the registry's Ed25519 public key, 32 bytes as base64 or hex",
      });
    }
    const patch: SettingsPatch = {
      mode,
      fecLevel,
      keepaliveIntervalMs: keepaliveMs,
      relaySource,
      relays,
      registryUrl: url === '' ? null : url,
      registryKey: key === '' ? null : key,
    };
    const error = await actions.saveSettings(patch);
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
          />
          <span className="muted">
            Shorter detects a dead relay sooner; 3 missed keepalives trigger failover.
          </span>
        </div>
      </fieldset>

      <fieldset className="panel">
        <legend>Relays</legend>
        <div className="segmented" role="radiogroup" aria-label="Relay source">
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
            />
            <label htmlFor={`${id}-registry-key`}>Registry public key</label>
            <input
              id={`${id}-registry-key`}
              type="text"
              placeholder="Ed25519 key, base64"
              value={registryKey}
              onChange={(e) => setRegistryKey(e.target.value)}
              spellCheck={false}
              aria-describedby={`${id}-registry-key-hint`}
            />
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
