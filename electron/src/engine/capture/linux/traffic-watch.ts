/**
 * "Game traffic seen": a passive libpcap view of which remote endpoints a game's UDP ports talk to, and at
 * what rate — no rules, nothing diverted (CAP_NET_RAW only). `lightspeed capture --watch` shows it, to
 * find a game's server before boosting or to see traffic capture leaves alone (LAN, DNS).
 */
import { openFlowWatcher, u32ToIp, type FlowSample, type FlowWatcher } from '@lightspeed/native';

import { processUdpSockets, withDescendants } from './proc-sockets.js';

/** One remote endpoint the game talks to, over the last interval. */
export interface SeenFlow {
  /** The game's local UDP port. */
  localPort: number;
  /** `host:port` of the remote side. */
  remote: string;
  packetsOut: number;
  packetsIn: number;
  bytesOut: number;
  bytesIn: number;
}

/** The BPF filter for UDP to or from any of `ports` (null when there are none). */
export function bpfForPorts(ports: readonly number[]): string | null {
  const unique = [...new Set(ports)]
    .filter((p) => Number.isInteger(p) && p > 0 && p < 65536)
    .sort((a, b) => a - b);
  return unique.length === 0 ? null : `udp and (${unique.map((p) => `port ${p}`).join(' or ')})`;
}

/** Folds raw 5-tuple samples into flows seen from the game's side (`ports` are the game's). */
export function orientSamples(samples: readonly FlowSample[], ports: readonly number[]): SeenFlow[] {
  const mine = new Set(ports);
  const flows = new Map<string, SeenFlow>();
  for (const s of samples) {
    const out = mine.has(s.srcPort);
    if (!out && !mine.has(s.dstPort)) continue;
    const localPort = out ? s.srcPort : s.dstPort;
    const remote = out ? `${u32ToIp(s.dstIp)}:${s.dstPort}` : `${u32ToIp(s.srcIp)}:${s.srcPort}`;
    const key = `${localPort}>${remote}`;
    const f = flows.get(key) ?? { localPort, remote, packetsOut: 0, packetsIn: 0, bytesOut: 0, bytesIn: 0 };
    if (out) {
      f.packetsOut += s.packets;
      f.bytesOut += s.bytes;
    } else {
      f.packetsIn += s.packets;
      f.bytesIn += s.bytes;
    }
    flows.set(key, f);
  }
  return [...flows.values()].sort((a, b) => b.packetsOut + b.packetsIn - (a.packetsOut + a.packetsIn));
}

/** Watches the UDP traffic of `pids` (and their children), following their sockets as they change. */
export class TrafficWatch {
  private watcher: FlowWatcher | null = null;
  private ports: number[] = [];

  constructor(
    private readonly pids: number[],
    private readonly procRoot = '/proc',
  ) {}

  /** The flows since the last call; re-reads the game's ports and re-opens the capture when they change. */
  async sample(): Promise<{ ports: number[]; flows: SeenFlow[] }> {
    const flows = this.watcher === null ? [] : orientSamples(this.watcher.take(), this.ports);
    const pids = await withDescendants(this.pids, this.procRoot);
    const sockets = (await Promise.all(pids.map((p) => processUdpSockets(p, this.procRoot)))).flat();
    const ports = [...new Set(sockets.map((s) => s.localPort).filter((p) => p !== 0))].sort((a, b) => a - b);
    if (ports.join(',') !== this.ports.join(',')) {
      this.watcher?.close();
      this.watcher = null;
      this.ports = ports;
      const filter = bpfForPorts(ports);
      if (filter !== null) this.watcher = openFlowWatcher({ filter });
    }
    return { ports: this.ports, flows };
  }

  close(): void {
    this.watcher?.close();
    this.watcher = null;
  }
}
