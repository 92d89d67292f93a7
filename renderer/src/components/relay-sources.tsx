/** Where the relays come from, one line per source: how many it gives, loading, or why it gave none. */
import type { RelaySourceView } from '@lightspeed/shared';

import { useRelays } from '../store/hooks.js';

const NAME: Record<RelaySourceView['kind'], string> = {
  'default-registry': "LightSpeed's relay registry",
  registry: 'Your relay registry',
  list: 'Your relay list',
};

const plural = (n: number): string => `${n} relay${n === 1 ? '' : 's'}`;

/** One source's state as a sentence. */
export function sourceLine(s: RelaySourceView): string {
  const name = NAME[s.kind];
  if (s.loading) return `${name}: loading…`;
  if (s.cachedUntil !== undefined) {
    const until = new Date(s.cachedUntil).toLocaleString();
    return `${name}: ${plural(s.relays)} from the copy saved on this computer, valid until ${until} (${s.error ?? 'unreachable'})`;
  }
  if (s.error !== null) return `${name} could not be loaded: ${s.error}`;
  return `${name}: ${plural(s.relays)}`;
}

/** The registry sources that failed and left no relays (what the first run must explain). */
export function failedSources(sources: readonly RelaySourceView[] | undefined): RelaySourceView[] {
  return (sources ?? []).filter((s) => s.kind !== 'list' && !s.loading && s.error !== null && s.relays === 0);
}

/** The sources of the relay list, as a short list (Settings, Relays). */
export function RelaySources() {
  const sources = useRelays((r) => r.view.sources);
  if (!sources || sources.length === 0) return null;
  return (
    <ul className="muted" aria-label="Relay sources" data-testid="relay-sources">
      {sources.map((s) => (
        <li key={s.kind} className={s.error !== null && s.relays === 0 ? 'field-error' : undefined}>
          {sourceLine(s)}
        </li>
      ))}
    </ul>
  );
}
