/**
 * What `boost` and `capture` share: registering with the relays' control planes, printing the engine's
 * events (status lines or JSON), and running until Ctrl-C.
 */
import {
  type BoostStats,
  type EngineEvent,
  type FecBudget,
  type RelayEndpoint,
  type SessionSummary,
} from '@lightspeed/shared';
import { numberArg } from '@lightspeed/shared/node';

import { openBoostControl, parseControlAddress, type BoostControl } from '../../engine/control/index.js';
import {
  EXPLORE_MODES,
  MlSelector,
  NearestSelector,
  SelectorStore,
  type ExploreMode,
  type ProbeOptions,
  type RouteSelector,
} from '../../engine/index.js';
import type { SessionEngine } from '../../engine/session-engine.js';
import { selectorDir, sessionsPath } from '../../ipc-backend/config-dir.js';
import { registerWithRelays } from '../../ipc-backend/relay-registration.js';
import { appendSession } from '../../ipc-backend/session-history.js';
import { UsageError } from '../command.js';
import { parseFecOption } from '../fec-option.js';
import { hostPortArg } from '../host-port.js';
import { NoRelay, savedRelays } from '../saved-relays.js';

/** Parses repeated `--relay HOST:PORT` values ([] when none: the saved relays are used, `relaysOrSaved`). */
export function parseRelays(values: string[] | undefined): RelayEndpoint[] {
  return (values ?? []).map((v) => {
    return hostPortArg('relay', v);
  });
}

/**
 * `relays` when `--relay` gave some, else the relays the app uses (saved settings, registries; see
 * `saved-relays.ts`). On none, prints one line naming what was tried and returns the exit status:
 * 2 (usage) when nothing is set up, 1 when the sources failed.
 */
export async function relaysOrSaved(
  relays: RelayEndpoint[],
  command: string,
): Promise<RelayEndpoint[] | number> {
  if (relays.length > 0) return relays;
  try {
    return await savedRelays();
  } catch (err) {
    if (!(err instanceof NoRelay)) throw err;
    if (!err.configured) throw new UsageError(err.message);
    console.error(`lightspeed ${command}: ${err.message}`);
    return 1;
  }
}

/** The options `boost` and `capture` both take (for `parseCliArgs`). */
export const SESSION_OPTIONS = {
  relay: { type: 'string', multiple: true },
  fec: { type: 'string' },
  token: { type: 'string' },
  control: { type: 'string' },
  'cert-sha256': { type: 'string' },
  'game-id': { type: 'string' },
  'keepalive-ms': { type: 'string' },
  selector: { type: 'string' },
  explore: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export const SELECTOR_NAMES = ['ml', 'nearest'] as const;
export type SelectorName = (typeof SELECTOR_NAMES)[number];

/** `--explore probe|copies|off` (default probe): what goes through relays that carry no traffic yet. */
export function parseExploreArg(value: string | undefined): ExploreMode {
  if (value === undefined) return 'probe';
  if ((EXPLORE_MODES as readonly string[]).includes(value)) return value as ExploreMode;
  throw new UsageError(`--explore: expected ${EXPLORE_MODES.join(', ')}, got '${value}'`);
}

/** `--selector nearest|ml` (default ml). */
export function parseSelectorArg(value: string | undefined): SelectorName {
  if (value === undefined) return 'ml';
  if ((SELECTOR_NAMES as readonly string[]).includes(value)) return value as SelectorName;
  throw new UsageError(`--selector: expected ml or nearest, got '${value}'`);
}

/**
 * The route selector for a CLI session: the learned one keeps its model and history in the config dir
 * (`LIGHTSPEED_SELECTOR_DIR` overrides it, tests use that), nearest ranks by keepalive RTT.
 */
export function makeSelector(name: SelectorName, probe?: ProbeOptions): RouteSelector {
  if (name === 'nearest') return new NearestSelector(probe);
  const dir = process.env.LIGHTSPEED_SELECTOR_DIR ?? selectorDir();
  return new MlSelector({ ...probe, store: new SelectorStore(dir === '' ? null : dir) });
}

export interface SessionArgs {
  relays: RelayEndpoint[];
  fecK: number;
  /** `--fec adaptive|strong`: v3 with this budget, v2 K = 4 as the fallback. */
  fecAdaptive?: FecBudget;
  gameId: number;
  /** `--token`: use it instead of registering. */
  manualToken: number | null;
  keepaliveMs: number;
  control: ControlArgs;
  /** `--selector`: how relays are ranked. */
  selector: SelectorName;
  /** `--explore`: how relays that carry no traffic learn their leg to the server. */
  explore: ExploreMode;
}

/**
 * With no `--relay`, fills `a`'s relays from the saved settings (`relaysOrSaved`) and checks `--control`
 * against them. Returns an exit status when there is none (after saying why), else null.
 */
export async function useSavedRelays(a: SessionArgs, command: string): Promise<number | null> {
  if (a.relays.length > 0) return null;
  const found = await relaysOrSaved(a.relays, command);
  if (typeof found === 'number') return found;
  a.relays.push(...found);
  a.control.saved = true;
  checkControlArg(a.control.control, a.relays);
  return null;
}

type RawSessionOptions = Partial<Record<Exclude<keyof typeof SESSION_OPTIONS, 'relay' | 'json'>, string>> & {
  relay?: string[];
};

/** Checks the shared options; a bad one is a UsageError that names it. */
export function parseSessionArgs(v: RawSessionOptions): SessionArgs {
  const usage = (m: string): Error => new UsageError(m);
  const relays = parseRelays(v.relay);
  const { fecK, fecAdaptive } = parseFecOption(v.fec);
  const gameId = numberArg(v['game-id'], 'game-id', 0, 0, 255, usage, true);
  const pin = v['cert-sha256'];
  if (pin !== undefined && !/^([0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}$/.test(pin))
    throw new UsageError(`--cert-sha256: expected 64 hex digits, got '${pin}'`);
  const manualToken = v.token !== undefined ? numberArg(v.token, 'token', 0, 0, 255, usage, true) : null;
  const keepaliveMs = numberArg(v['keepalive-ms'], 'keepalive-ms', 500, 10, 60_000, usage, true);
  const control = manualToken !== null ? 'off' : v.control;
  if (relays.length > 0) checkControlArg(control, relays);
  return {
    relays,
    fecK,
    ...(fecAdaptive ? { fecAdaptive } : {}),
    gameId,
    manualToken,
    keepaliveMs,
    control: { relays, control, certSha256: pin, gameId },
    selector: parseSelectorArg(v.selector),
    explore: parseExploreArg(v.explore),
  };
}

export interface ControlArgs {
  relays: RelayEndpoint[];
  /** `--control` as given (undefined: every relay host), or 'off'. */
  control: string | undefined;
  certSha256: string | undefined;
  gameId: number;
  /** The relays came from the saved settings: each registers as the app does (its source's port and pin). */
  saved?: boolean;
}

export interface Controls {
  /** The token for the request (0 when each relay carries its own). */
  token: number;
  close(): Promise<void>;
}

/** Checks `--control` against the relays; a bad value is a usage error. */
export function checkControlArg(control: string | undefined, relays: RelayEndpoint[]): void {
  try {
    parseControlAddress(control, relays);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * Tokens are per relay. By default every relay host is registered with (port 4433), so a failover to
 * another relay that requires auth still carries a live token; --control (or a pin) names one plane.
 * Returns null (after saying why on stderr) when a control plane refused us.
 */
export async function openControls(a: ControlArgs, command: string): Promise<Controls | null> {
  if (a.saved && a.control === undefined && a.certSha256 === undefined) return registerSaved(a, command);
  const hosts = [...new Set(a.relays.map((r) => r.host))];
  const targets =
    a.control === undefined && a.certSha256 === undefined && hosts.length > 1 ? hosts : [a.control];
  const log = (l: string): void => console.error(l);
  const opened = await Promise.allSettled(
    targets.map((control) =>
      openBoostControl({ control, relays: a.relays, gameId: a.gameId, certSha256: a.certSha256 }, log),
    ),
  );
  const controls: BoostControl[] = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  const close = async (): Promise<void> => {
    for (const c of controls) await c.session?.close();
  };
  const failed = opened.find((o) => o.status === 'rejected');
  if (failed) {
    console.error(`lightspeed ${command}: control plane: ${(failed.reason as Error).message}`);
    await close();
    return null;
  }
  if (targets.length > 1) {
    hosts.forEach((host, i) => {
      for (const r of a.relays) if (r.host === host) r.token = controls[i]!.token;
    });
  }
  return { token: targets.length > 1 ? 0 : controls[0]!.token, close };
}

/**
 * Saved relays register like the app's (`registerWithRelays`): each with the control port and pin its
 * registry gave. A relay whose certificate does not match its pin is dropped, and said; none left: null.
 */
async function registerSaved(a: ControlArgs, command: string): Promise<Controls | null> {
  const registration = await registerWithRelays(a.relays, a.gameId);
  for (const r of registration.refused)
    console.error(
      `lightspeed ${command}: relay ${r.host}:${r.port}: control certificate does not match its pin: not used`,
    );
  if (registration.relays.length === 0) {
    console.error(`lightspeed ${command}: no relay left after registration`);
    await registration.close();
    return null;
  }
  a.relays.splice(0, a.relays.length, ...registration.relays);
  return { token: 0, close: registration.close };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** One human line per stats sample. */
export function statusLine(state: string, s: BoostStats, prev: BoostStats | null, intervalS: number): string {
  const rtt = s.rtt === null ? 'rtt   -  ' : `rtt ${s.rtt.p50.toFixed(1)} ms (p95 ${s.rtt.p95.toFixed(1)})`;
  const upRate = Math.round((s.packetsUp - (prev?.packetsUp ?? 0)) / intervalS);
  const downRate = Math.round((s.packetsDown - (prev?.packetsDown ?? 0)) / intervalS);
  const recovered = s.fecRecovered - (prev?.fecRecovered ?? 0);
  return [
    new Date(s.atMs).toISOString().slice(11, 19),
    state.padEnd(12),
    `via ${s.relay?.id ?? '-'}`,
    rtt,
    `jitter ${s.jitterMs.toFixed(1)} ms`,
    `keepalive loss ${pct(s.lossUp)}  loss down ${pct(s.lossDown)} → ${pct(s.lossDownAfterFec)} after FEC`,
    `recovered ${recovered}`,
    `${upRate}↑ ${downRate}↓ pkt/s`,
    `flows ${s.flows ?? 0}`,
  ].join('  ');
}

/** The plain CLI's end-of-session block. */
export function summaryBlock(s: SessionSummary): string[] {
  const ms = (x: number | null): string => (x === null ? '-' : `${x.toFixed(1)} ms`);
  const mins = Math.floor(s.durationS / 60);
  const secs = Math.round(s.durationS - mins * 60);
  return [
    'session summary',
    `  duration         ${mins > 0 ? `${mins} min ` : ''}${secs} s via ${s.relays.join(' → ') || '-'}`,
    `  ping             p50 ${ms(s.pingP50Ms)}, p95 ${ms(s.pingP95Ms)}`,
    `  loss             ${pct(s.lossBeforeFec)} before FEC → ${pct(s.lossAfterFec)} after (${s.packetsRecovered} packets recovered)`,
    `  failovers        ${s.failovers}`,
    `  saved vs direct  ${savedLine(s)}`,
  ];
}

/** "12.3 ms (without LightSpeed 40.1 ms → with 27.8 ms)", "direct is faster by …", or why not measured. */
function savedLine(s: SessionSummary): string {
  const ms = (x: number): string => `${x.toFixed(1)} ms`;
  if (s.msSavedVsDirect === null || s.directMs == null || s.boostedMs == null)
    return s.directNote ?? 'not measured';
  const both = `without LightSpeed ${ms(s.directMs)} → with ${ms(s.boostedMs)}`;
  return s.msSavedVsDirect >= 0
    ? `${ms(s.msSavedVsDirect)} (${both})`
    : `none: direct is faster by ${ms(-s.msSavedVsDirect)} (${both})`;
}

/** What the printing and waiting below need of an engine: the single-relay one or the mesh one. */
export type WatchedEngine = Pick<SessionEngine, 'subscribe' | 'getState'> & {
  selectorNote?(): string | null;
};

/**
 * Keeps the session's summary with the last sessions (`<config dir>/lightspeed/sessions.json`, which the
 * dashboard shows too; `LIGHTSPEED_SESSIONS_FILE` moves it, '' turns it off). Returns what to await
 * before exiting.
 */
export function keepSummary(engine: WatchedEngine): () => Promise<void> {
  const file = process.env.LIGHTSPEED_SESSIONS_FILE ?? sessionsPath();
  let saving: Promise<void> = Promise.resolve();
  engine.subscribe((e) => {
    if (e.type !== 'summary' || file === '') return;
    saving = appendSession(file, e.summary).catch((err: unknown) => {
      console.error(`lightspeed: the session was not kept in ${file}: ${(err as Error).message}`);
    });
  });
  return () => saving;
}

/** Prints the engine's events: one JSON object per event, or human lines. */
export function printEvents(engine: WatchedEngine, json: boolean, extra?: (e: EngineEvent) => void): void {
  let prev: BoostStats | null = null;
  let lastOrder = '';
  engine.subscribe((e: EngineEvent) => {
    if (json) {
      console.log(JSON.stringify(e));
      return;
    }
    if (e.type === 'stats') {
      console.log(statusLine(engine.getState().state, e.stats, prev, 1));
      prev = e.stats;
    } else if (e.type === 'failover') {
      console.log(`failover: ${e.from.id} → ${e.to?.id ?? '(no other relay; retrying)'} (${e.reason})`);
    } else if (e.type === 'relays') {
      // The learned selector re-ranks every few seconds: print a ranking when its order or reason changes.
      const note = engine.selectorNote?.() ?? null;
      const order = e.relays.map((r) => r.relay.id).join(' ') + (note ?? '');
      if (order === lastOrder) return;
      lastOrder = order;
      for (const r of e.relays) {
        const rtt =
          r.rttMedianMs === null ? 'unreachable' : `${r.rttMedianMs.toFixed(1)} ms, loss ${pct(r.loss)}`;
        const leg = (r as { serverLegMs?: number }).serverLegMs;
        const predicted = (r as { predictedMs?: number }).predictedMs;
        const extra =
          (leg === undefined ? '' : `, its leg to the server ${leg.toFixed(1)} ms`) +
          (predicted === undefined ? '' : `, predicted end to end ${predicted.toFixed(1)} ms`);
        console.log(`relay ${r.relay.id}: ${rtt}${extra}`);
      }
      if (note !== null) console.log(`selector: ${note}`);
    } else if (e.type === 'direct') {
      // Once per round that changes something people read; 'measuring' is implied by the start.
      if (e.direct.state !== 'measuring') console.log(`direct path: ${e.direct.note}`);
    } else if (e.type === 'summary') {
      for (const line of summaryBlock(e.summary)) console.log(line);
    } else if (e.type === 'state' && e.state.state === 'error') {
      console.error(`error: ${e.state.reason}`);
    } else {
      extra?.(e);
    }
  });
}

/**
 * Runs until Ctrl-C/SIGTERM (or `durationS`), or until the engine ends in an error by itself (every relay
 * unreachable, capture failed): resolves with the signal's name, 'duration', or 'error'.
 */
export function untilEnd(engine: WatchedEngine, durationS: number | null = null): Promise<string> {
  let unsubscribe = (): void => {};
  const failed = new Promise<string>((resolve) => {
    unsubscribe = engine.subscribe((e) => {
      if (e.type === 'state' && e.state.state === 'error') resolve('error');
    });
  });
  return Promise.race([untilSignal(durationS), failed]).finally(unsubscribe);
}

/** Resolves on the first SIGINT or SIGTERM, or after `durationS` seconds when given; cleans up after itself. */
export function untilSignal(durationS: number | null = null): Promise<string> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | null = null;
    const done = (why: string) => () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      if (timer !== null) clearTimeout(timer);
      resolve(why);
    };
    const onInt = done('SIGINT');
    const onTerm = done('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    if (durationS !== null) timer = setTimeout(done('duration'), durationS * 1000);
  });
}
