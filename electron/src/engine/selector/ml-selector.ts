/**
 * `MlSelector`: ranks relays by predicted end-to-end RTT (client → relay → game server) with the route
 * model, from the keepalive probe (RTT p50/p95, jitter, loss), the relay's load and region, the server's
 * estimated region, the hour, the user's history on this relay for this server prefix and the relay's
 * own reported leg. Falls back to nearest — and says why in `note` — when there is no model, nothing is
 * known about the server side, or the model is unsure. `feedback` records a finished session and retrains.
 */
import type { RelayEndpoint } from '@lightspeed/shared';

import { percentile } from '../percentile.js';
import type { ProbeSample } from '../relay-prober.js';
import {
  scoreSample,
  withServer,
  type NearestSelectorOptions,
  type RankedRelay,
  type RouteSelector,
  type SelectorContext,
  type SelectorFeedback,
} from '../route-selector.js';
import { estimateServerRegion, featureVector, serverPrefix, type CandidateInfo } from './features.js';
import { rankMl } from './ml-rank.js';
import { REGIONS, regionIndex } from './regions.js';
import type { RouteModel } from './route-model.js';
import { SelectorStore } from './selector-store.js';

export interface MlSelectorOptions extends NearestSelectorOptions {
  /** Model and history; default: nothing persisted, the shipped prior. */
  store?: SelectorStore;
  /** Fall back to nearest when the trees' spread on the pick exceeds this, ms. Default 50. */
  unsureMs?: number;
  /** Local time (tests). */
  now?: () => Date;
}

export class MlSelector implements RouteSelector {
  readonly name = 'ml';
  note: string | null = null;
  private readonly store: SelectorStore;
  private modelP: Promise<{ model: RouteModel | null; reason: string }> | null = null;
  /** Feature vectors of the last ranking, per relay id: what feedback learns against. */
  private readonly lastFeatures = new Map<string, number[]>();

  constructor(private readonly options: MlSelectorOptions = {}) {
    this.store = options.store ?? new SelectorStore(null);
  }

  private model(): Promise<{ model: RouteModel | null; reason: string }> {
    this.modelP ??= this.store.loadModel();
    return this.modelP;
  }

  async rank(relays: readonly RelayEndpoint[], context: SelectorContext): Promise<RankedRelay[]> {
    const [samples, { model, reason }] = await Promise.all([
      context.probe(relays, withServer(this.options, context)),
      this.model(),
      this.store.load(),
    ]).then(([s, m]) => [s, m] as const);
    const penalty = this.options.lossPenaltyMs ?? 500;
    const base = samples.map((s) => scoreSample(s, penalty));
    const prefix = context.server === undefined ? null : serverPrefix(context.server.address);
    const hour = (this.options.now?.() ?? new Date()).getHours();
    const infos = samples.map((s, i) => candidateInfo(s, base[i]!, hour, context, prefix, this.store));
    const region = estimateServerRegion(infos, REGIONS.length);
    for (const c of infos) c.serverRegion = region;
    const ranking = rankMl(
      model,
      infos,
      { lossPenaltyMs: penalty, unsureMs: this.options.unsureMs ?? 50 },
      reason,
    );
    this.note =
      ranking.mode === 'ml'
        ? `ml: ${reason}, ${ranking.reason}`
        : `ml fell back to nearest: ${ranking.reason}`;
    this.lastFeatures.clear();
    infos.forEach((c, i) => this.lastFeatures.set(base[i]!.relay.id, featureVector(c)));
    return ranking.order.map((i) => {
      const r = base[i]!;
      const predicted = ranking.predictedMs[i];
      return {
        ...r,
        score: ranking.scores[i]!,
        ...(predicted === null || predicted === undefined ? {} : { predictedMs: predicted }),
      };
    });
  }

  async feedback(f: SelectorFeedback): Promise<void> {
    const features = this.lastFeatures.get(f.relay.relay.id);
    if (features === undefined || !Number.isFinite(f.rttMs + f.legMs)) return;
    const model = await this.store.add({
      at: new Date().toISOString(),
      relay: f.relay.relay.id,
      prefix: serverPrefix(f.server.host),
      features,
      e2eMs: f.rttMs + f.legMs,
    });
    if (model !== null)
      this.modelP = Promise.resolve({ model, reason: `retrained model v${model.meta.version}` });
  }
}

function candidateInfo(
  s: ProbeSample,
  r: RankedRelay,
  hour: number,
  context: SelectorContext,
  prefix: string | null,
  store: SelectorStore,
): CandidateInfo {
  const rtts = [...s.rtts].sort((a, b) => a - b);
  let jitter = 0;
  for (let i = 1; i < s.rtts.length; i++) jitter += Math.abs(s.rtts[i]! - s.rtts[i - 1]!);
  const history = prefix === null ? undefined : store.history(r.relay.id, prefix);
  return {
    rttP50Ms: r.rttMedianMs ?? Infinity,
    rttP95Ms: rtts.length === 0 ? Infinity : percentile(rtts, 95),
    jitterMs: s.rtts.length > 1 ? jitter / (s.rtts.length - 1) : 0,
    loss: r.loss,
    load: context.relayLoad?.(r.relay.id),
    relayRegion: regionIndex(s.endpoint.region),
    serverRegion: -1,
    hour,
    historyLegMs: history?.legMs,
    historyCount: history?.count,
    reportedLegMs: s.serverLegMs,
  };
}
