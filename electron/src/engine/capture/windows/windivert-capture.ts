/**
 * Capture mode on Windows with WinDivert, behind the engine's CaptureBackend:
 * - a FLOW-layer handle (SNIFF | RECV_ONLY) filtered on the target PIDs learns the game's UDP/IPv4
 *   flows as they are established and deleted;
 * - a NETWORK-layer handle diverts the outbound packets of exactly those flows (filter rebuilt when the
 *   set changes); each becomes onDatagram(game, server, payload) and is not sent on;
 * - reply() builds an inbound IPv4/UDP packet from the server's address to the game's socket and
 *   injects it on the interface the flow's packets left by.
 * Known limit: WinDivert's FLOW layer reports flows established after the handle opened; a socket that
 * already talks to its server is picked up when it opens a new flow.
 */
import {
  buildIpv4Udp,
  buildWinDivertAddress,
  type DestinationPolicy,
  excludedRanges,
  flowFilter,
  type FlowKey,
  isCapturable,
  networkFilter,
  openWinDivert,
  type OpenWinDivert,
  parseIpv4Udp,
  parseWinDivertAddress,
  u32ToIp,
  WinDivertEvent,
  WinDivertFlag,
  type WinDivertHandle,
  WinDivertLayer,
} from '@lightspeed/native';

import type {
  CaptureBackend,
  CaptureEvents,
  CaptureStartOptions,
  CaptureTarget,
  Endpoint,
} from '../capture-backend.js';

const UDP = 17;

export interface WinDivertCaptureOptions {
  /** WinDivert.dll in the app's resources directory. */
  dllPath: string;
  /** WinDivert priority of both handles. Default 0. */
  priority?: number;
  /** Opens a handle; the addon's by default (replaceable in tests). */
  open?: OpenWinDivert;
}

export interface WinDivertCaptureStats {
  flows: number;
  diverted: number;
  reinjected: number;
  replies: number;
  replyErrors: number;
  malformed: number;
}

interface Flow {
  key: FlowKey;
  processId: number;
  /** Where the flow's packets leave (learned from the first diverted packet). */
  ifIdx?: number;
  subIfIdx?: number;
}

const flowId = (localPort: number, remoteIp: number, remotePort: number) =>
  `${localPort}>${remoteIp}:${remotePort}`;
const endpoint = (ip: number, port: number): Endpoint => ({ address: u32ToIp(ip), ip, port });
const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

export class WinDivertCapture implements CaptureBackend {
  readonly platform = 'win32' as const;
  private readonly open: OpenWinDivert;
  private events: CaptureEvents | undefined;
  private policy: DestinationPolicy = { excludes: [] };
  private pids = new Set<number>();
  private readonly flows = new Map<string, Flow>();
  private flowHandle: WinDivertHandle | undefined;
  private networkHandle: WinDivertHandle | undefined;
  private networkFilterText = 'false';
  private lastInterface: { ifIdx: number; subIfIdx: number } | undefined;
  private readonly counts = { diverted: 0, reinjected: 0, replies: 0, replyErrors: 0, malformed: 0 };

  constructor(private readonly options: WinDivertCaptureOptions) {
    this.open = options.open ?? openWinDivert;
  }

  start(target: CaptureTarget, options: CaptureStartOptions, events: CaptureEvents): Promise<void> {
    if (this.events !== undefined) return Promise.reject(new Error('WinDivert capture already started'));
    try {
      this.policy = { excludes: [...options.excludes], captureLan: options.captureLan === true };
      excludedRanges(this.policy); // a malformed exclude fails here, not on the first flow
      this.events = events;
      this.openFlowHandle(target.pids);
      return Promise.resolve();
    } catch (e) {
      this.closeAll();
      this.events = undefined;
      return Promise.reject(asError(e));
    }
  }

  retarget(target: CaptureTarget): Promise<void> {
    if (this.events === undefined) return Promise.reject(new Error('WinDivert capture not started'));
    try {
      this.openFlowHandle(target.pids);
      for (const [id, flow] of this.flows) if (!this.pids.has(flow.processId)) this.flows.delete(id);
      this.refreshNetworkHandle();
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(asError(e));
    }
  }

  reply(game: Endpoint, server: Endpoint, payload: Uint8Array): void {
    const handle = this.networkHandle;
    const flow = this.flows.get(flowId(game.port, server.ip, server.port));
    const via =
      flow?.ifIdx !== undefined ? { ifIdx: flow.ifIdx, subIfIdx: flow.subIfIdx ?? 0 } : this.lastInterface;
    if (handle === undefined || via === undefined) {
      this.counts.replyErrors++;
      return;
    }
    const packet = buildIpv4Udp({
      srcIp: server.ip,
      srcPort: server.port,
      dstIp: game.ip,
      dstPort: game.port,
      payload,
    });
    const address = buildWinDivertAddress({
      layer: WinDivertLayer.network,
      outbound: false,
      ipChecksum: true,
      udpChecksum: true,
      network: via,
    });
    if (handle.send(packet, address)) this.counts.replies++;
    else this.counts.replyErrors++;
  }

  release(server: Endpoint): void {
    for (const flow of this.flows.values()) {
      if (flow.key.remoteIp === server.ip && flow.key.remotePort === server.port) {
        delete flow.ifIdx;
        delete flow.subIfIdx;
      }
    }
  }

  stop(): Promise<void> {
    this.closeAll();
    this.events = undefined;
    return Promise.resolve();
  }

  stats(): WinDivertCaptureStats {
    return { flows: this.flows.size, ...this.counts };
  }

  private closeAll(): void {
    const handles = [this.networkHandle, this.flowHandle];
    this.networkHandle = undefined;
    this.flowHandle = undefined;
    this.networkFilterText = 'false';
    this.flows.clear();
    this.pids.clear();
    for (const h of handles) h?.close();
  }

  private openFlowHandle(pids: number[]): void {
    const filter = flowFilter(pids); // validates the PIDs
    const previous = this.flowHandle;
    this.flowHandle =
      filter === 'false'
        ? undefined
        : this.open({
            dllPath: this.options.dllPath,
            filter,
            layer: 'flow',
            priority: this.options.priority ?? 0,
            flags: WinDivertFlag.sniff | WinDivertFlag.recvOnly,
            onPacket: (_packet, address) => this.onFlowEvent(address),
            onError: (e) => this.fail(e),
          });
    this.pids = new Set(pids);
    previous?.close();
  }

  private onFlowEvent(raw: Uint8Array): void {
    const address = parseWinDivertAddress(raw);
    const f = address?.flow;
    if (address === null || f === undefined) {
      this.counts.malformed++;
      return;
    }
    if (f.protocol !== UDP || f.localIp === null || f.remoteIp === null || !this.pids.has(f.processId))
      return;
    const id = flowId(f.localPort, f.remoteIp, f.remotePort);
    if (address.event === WinDivertEvent.flowEstablished) {
      if (this.flows.has(id) || !isCapturable(f.remoteIp, f.remotePort, this.policy)) return;
      this.flows.set(id, {
        key: { localPort: f.localPort, remoteIp: f.remoteIp, remotePort: f.remotePort },
        processId: f.processId,
      });
    } else if (address.event === WinDivertEvent.flowDeleted) {
      if (!this.flows.delete(id)) return;
    } else {
      return;
    }
    this.refreshNetworkHandle();
  }

  private refreshNetworkHandle(): void {
    const filter = networkFilter(
      [...this.flows.values()].map((f) => f.key),
      this.policy,
    );
    if (filter === this.networkFilterText) return;
    const previous = this.networkHandle;
    try {
      // Open the new handle before closing the old one: no window where packets escape.
      if (filter === 'false') {
        this.networkHandle = undefined;
      } else {
        const handle: WinDivertHandle = this.open({
          dllPath: this.options.dllPath,
          filter,
          layer: 'network',
          priority: this.options.priority ?? 0,
          flags: 0,
          onPacket: (packet, address) => this.onPacket(handle, packet, address),
          onError: (e) => this.fail(e),
        });
        this.networkHandle = handle;
      }
    } catch (e) {
      this.fail(asError(e));
      return;
    }
    this.networkFilterText = filter;
    previous?.close();
    const ports = [...new Set([...this.flows.values()].map((f) => f.key.localPort))].sort((a, b) => a - b);
    this.events?.onSockets?.(ports);
  }

  private onPacket(handle: WinDivertHandle, packet: Buffer, raw: Buffer): void {
    const address = parseWinDivertAddress(raw);
    const parsed = parseIpv4Udp(packet);
    const flow =
      parsed === null ? undefined : this.flows.get(flowId(parsed.srcPort, parsed.dstIp, parsed.dstPort));
    if (address?.network === undefined || !address.outbound || parsed === null || flow === undefined) {
      // Not one of ours (a flow just deleted, a fragment, ...): send it on unchanged.
      if (parsed === null) this.counts.malformed++;
      if (handle.send(packet, raw)) this.counts.reinjected++;
      return;
    }
    flow.ifIdx = address.network.ifIdx;
    flow.subIfIdx = address.network.subIfIdx;
    this.lastInterface = address.network;
    this.counts.diverted++;
    this.events?.onDatagram(
      endpoint(parsed.srcIp, parsed.srcPort),
      endpoint(parsed.dstIp, parsed.dstPort),
      parsed.payload,
    );
  }

  private fail(error: Error): void {
    this.events?.onError(error);
  }
}
