/**
 * A relay as discovery sources describe it: where its data plane (UDP 4434), control plane (QUIC 4433) and
 * health port (HTTP 8080) are, plus what a source may know about it (region, node id, certificate pin).
 */
export const DEFAULT_DATA_PORT = 4434;
/** Same as the control client's DEFAULT_CONTROL_PORT (not imported: discovery must not load QUIC). */
const DEFAULT_CONTROL_PORT = 4433;
export const DEFAULT_HEALTH_PORT = 8080;

export type DiscoverySource = 'static' | 'dns' | 'peer' | 'registry';

export interface DiscoveredRelay {
  host: string;
  dataPort: number;
  controlPort: number;
  healthPort: number;
  region?: string;
  nodeId?: string;
  /** SHA-256 (hex) of the relay's control certificate, for pinning. */
  certSha256?: string;
  source: DiscoverySource;
}

/** A discovery input that names the problem (source, entry, what is wrong). */
export class DiscoveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiscoveryError';
  }
}

const HOST =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV6_BRACKETED = /^\[([0-9A-Fa-f:.]+)\]$/;

/** Parses `host`, `host:port` or `[v6]:port` (port = data port); throws DiscoveryError naming the entry. */
export function parseRelayAddress(text: string, source: DiscoverySource = 'static'): DiscoveredRelay {
  const trimmed = text.trim();
  let host = trimmed;
  let port = DEFAULT_DATA_PORT;
  const v6 = /^(\[[^\]]+\])(?::(\d+))?$/.exec(trimmed);
  if (v6) {
    host = IPV6_BRACKETED.exec(v6[1]!)![1]!;
    if (v6[2] !== undefined) port = Number(v6[2]);
  } else {
    const colon = trimmed.lastIndexOf(':');
    if (colon >= 0) {
      host = trimmed.slice(0, colon);
      const portText = trimmed.slice(colon + 1);
      if (!/^\d+$/.test(portText))
        throw new DiscoveryError(`relay "${text}": port "${portText}" is not a number`);
      port = Number(portText);
    }
    if (!HOST.test(host))
      throw new DiscoveryError(`relay "${text}": "${host}" is not a host name or IPv4 address`);
  }
  if (!isPort(port)) throw new DiscoveryError(`relay "${text}": port ${port} is outside 1..65535`);
  return endpoint(host, { dataPort: port }, source);
}

/** Builds an endpoint with default ports for what is not given. */
export function endpoint(
  host: string,
  extra: Partial<Omit<DiscoveredRelay, 'host' | 'source'>>,
  source: DiscoverySource,
): DiscoveredRelay {
  const out: DiscoveredRelay = {
    host,
    dataPort: extra.dataPort ?? DEFAULT_DATA_PORT,
    controlPort: extra.controlPort ?? DEFAULT_CONTROL_PORT,
    healthPort: extra.healthPort ?? DEFAULT_HEALTH_PORT,
    source,
  };
  if (extra.region !== undefined) out.region = extra.region;
  if (extra.nodeId !== undefined) out.nodeId = extra.nodeId;
  if (extra.certSha256 !== undefined) out.certSha256 = extra.certSha256.toLowerCase();
  return out;
}

/** Whether `n` is a usable UDP/TCP port. */
export function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65_535;
}

/** Key that identifies one relay data address across sources. */
export function endpointKey(e: DiscoveredRelay): string {
  return `${e.host.toLowerCase()}:${e.dataPort}`;
}

/** Static list from config: every entry parsed, the first bad one named. */
export function staticRelays(entries: readonly string[]): DiscoveredRelay[] {
  return entries.map((e) => parseRelayAddress(e, 'static'));
}
