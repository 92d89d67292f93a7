/**
 * The relays the user can pick from, with their last probe results, as a JSON-safe view. Keeps the
 * latest probe per relay id across probes and sessions.
 */
import {
  relayRef,
  type RelayEndpoint,
  type RelayProbe,
  type RelayView,
  type RelaysView,
} from '@lightspeed/shared';

export class RelayBook {
  private endpoints: RelayEndpoint[] = [];
  private readonly probes = new Map<string, { probe: RelayProbe; atMs: number }>();
  pinned: string | null = null;
  probing = false;

  /** Replaces the candidate list (probe results of relays that stay are kept). */
  setEndpoints(endpoints: RelayEndpoint[]): void {
    this.endpoints = endpoints;
    if (this.pinned !== null && !this.find(this.pinned)) this.pinned = null;
  }

  list(): RelayEndpoint[] {
    return this.endpoints;
  }

  /** The endpoint whose relay id is `id`. */
  find(id: string): RelayEndpoint | undefined {
    return this.endpoints.find((e) => relayRef(e).id === id);
  }

  /** Records probe results taken at `atMs`. */
  record(probes: RelayProbe[], atMs: number): void {
    for (const probe of probes) this.probes.set(probe.relay.id, { probe, atMs });
  }

  view(): RelaysView {
    const relays: RelayView[] = this.endpoints.map((endpoint) => {
      const relay = relayRef(endpoint);
      const last = this.probes.get(relay.id);
      if (!last) return { relay, rttMs: null, rttMinMs: null, loss: null, reachable: null, probedAtMs: null };
      const region = relay.region ?? last.probe.relay.region;
      return {
        relay: region === undefined ? relay : { ...relay, region },
        rttMs: finiteOrNull(last.probe.rttMedianMs),
        rttMinMs: finiteOrNull(last.probe.rttMinMs),
        loss: finiteOrNull(last.probe.loss),
        reachable: last.probe.reachable,
        probedAtMs: last.atMs,
      };
    });
    return { relays, pinned: this.pinned, probing: this.probing };
  }
}

function finiteOrNull(n: number | null): number | null {
  return n !== null && Number.isFinite(n) ? n : null;
}
