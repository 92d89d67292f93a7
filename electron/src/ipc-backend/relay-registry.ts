/**
 * Reads a relay registry: an http(s) URL answering JSON, either an array of relays or `{ "relays": [...] }`,
 * each `{ host, port, id?, region? }`. Invalid entries are dropped, not fatal.
 */
import { relayEndpointSchema, type RelayEndpoint } from '@lightspeed/shared';
import { z } from 'zod';

const MAX_BYTES = 256 * 1024;

const registrySchema = z.union([z.array(z.unknown()), z.object({ relays: z.array(z.unknown()) })]);

/** Parses a registry document; returns the valid relays (at most 64). */
export function parseRegistry(json: unknown): RelayEndpoint[] {
  const doc = registrySchema.safeParse(json);
  if (!doc.success) throw new Error('registry: expected an array of relays or { "relays": [...] }');
  const items = Array.isArray(doc.data) ? doc.data : doc.data.relays;
  const out: RelayEndpoint[] = [];
  for (const item of items) {
    const relay = relayEndpointSchema.safeParse(item);
    if (relay.success) out.push(relay.data);
    if (out.length === 64) break;
  }
  return out;
}

/** Fetches and parses the registry at `url` within `timeoutMs`. */
export async function fetchRegistry(url: string, timeoutMs = 5000): Promise<RelayEndpoint[]> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  if (!res.ok) throw new Error(`registry: HTTP ${res.status} from ${url}`);
  const text = await res.text();
  if (text.length > MAX_BYTES) throw new Error('registry: document too large');
  return parseRegistry(JSON.parse(text));
}
