/**
 * Peer exchange: a relay lists the relays it knows at `GET /peers` on its health port (HTTP 8080), as
 *   { "node_id": "...", "region": "...", "peers": [ { "host": "...", "data_port": 4434, "control_port": 4433,
 *     "health_port": 8080, "region": "...", "node_id": "...", "cert_sha256": "..." } ] }
 * (only `host` is required per peer). The deployed control message set has no peer message, hence HTTP.
 */
import { z } from 'zod';

import { DiscoveryError, endpoint, type DiscoveredRelay } from './relay-endpoint.js';

/** Largest /peers body read; a relay lists peers, not the internet. */
export const PEERS_MAX_BYTES = 64 * 1024;

const port = z.number().int().min(1).max(65_535);
const sha256 = z.string().regex(/^[0-9a-fA-F]{64}$/);
const host = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:-]+$/);

/** One relay as registries and /peers describe it (snake_case on the wire). */
export const wireRelaySchema = z.object({
  host,
  data_port: port.optional(),
  control_port: port.optional(),
  health_port: port.optional(),
  region: z.string().max(64).optional(),
  node_id: z.string().max(64).optional(),
  cert_sha256: sha256.optional(),
});

const peersSchema = z.object({
  node_id: z.string().optional(),
  region: z.string().optional(),
  peers: z.array(wireRelaySchema).max(1024),
});

/** Converts a wire relay entry to an endpoint. */
export function fromWire(
  r: z.infer<typeof wireRelaySchema>,
  source: DiscoveredRelay['source'],
): DiscoveredRelay {
  return endpoint(
    r.host,
    {
      ...(r.data_port !== undefined ? { dataPort: r.data_port } : {}),
      ...(r.control_port !== undefined ? { controlPort: r.control_port } : {}),
      ...(r.health_port !== undefined ? { healthPort: r.health_port } : {}),
      ...(r.region !== undefined ? { region: r.region } : {}),
      ...(r.node_id !== undefined ? { nodeId: r.node_id } : {}),
      ...(r.cert_sha256 !== undefined ? { certSha256: r.cert_sha256 } : {}),
    },
    source,
  );
}

/** Parses a /peers body; throws DiscoveryError naming the first bad field. */
export function parsePeers(body: string, from: string): DiscoveredRelay[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new DiscoveryError(`peers from ${from}: body is not JSON`);
  }
  const parsed = peersSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new DiscoveryError(`peers from ${from}: ${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return parsed.data.peers.map((p) => fromWire(p, 'peer'));
}

/** Asks one relay's health port for its known peers. */
export async function fetchPeers(
  relay: Pick<DiscoveredRelay, 'host' | 'healthPort'>,
  opts: { timeoutMs?: number } = {},
): Promise<DiscoveredRelay[]> {
  const hostPart = relay.host.includes(':') ? `[${relay.host}]` : relay.host;
  const url = `http://${hostPart}:${relay.healthPort}/peers`;
  const body = await fetchText(url, PEERS_MAX_BYTES, opts.timeoutMs ?? 3000);
  return parsePeers(body, url);
}

/** GETs `url` as text, refusing non-200 answers and bodies over `maxBytes`. */
export async function fetchText(url: string, maxBytes: number, timeoutMs: number): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (err) {
    throw new DiscoveryError(`${url}: ${(err as Error).message}`);
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new DiscoveryError(`${url}: HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new DiscoveryError(`${url}: body of ${declared} bytes exceeds ${maxBytes}`);
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > maxBytes) throw new DiscoveryError(`${url}: body exceeds ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
