/**
 * Capture mode as a flow source: the game's own datagrams, taken by the platform backend. Each
 * (game socket, game server) pair becomes one key — so one tunnel flow, whose header carries the real
 * addresses, exactly as deployed relays expect — and replies go back through the backend as the server's.
 * The servers are discovered from the traffic: the player never types an address.
 */
import type { CaptureSpec, CaptureStatus, CapturedServer } from '@lightspeed/shared';
import type { ProcessInfo } from '@lightspeed/games';

import { nowMs } from '../clock.js';
import type { FlowSource, PacketSink } from '../flow-source.js';
import type { GameKey } from '../relay-link.js';
import type { CaptureBackend, Endpoint } from './capture-backend.js';
import { matchTarget, type TargetProcess } from './capture-target.js';

export interface CaptureSourceOptions {
  backend: CaptureBackend;
  spec: CaptureSpec;
  /** The relays' IPv4 addresses: never captured (the tunnel itself goes there). */
  relayAddresses: string[];
  /** The processes to match the target in; `pids`, when given, are the only ones the target can match. */
  listProcesses: (pids?: readonly number[]) => Promise<ProcessInfo[]>;
  /** A pair silent this long loses its key (and its reply socket). */
  idleMs: number;
  onStatus: (status: CaptureStatus) => void;
  onError: (err: Error) => void;
}

interface Entry {
  key: GameKey;
  packets: number;
  lastMs: number;
}

/** 48 bits of address and port in one number: a Map key with no string built per packet. */
const endpointNumber = (e: Endpoint): number => e.ip * 65536 + e.port;

export class CaptureSource implements FlowSource {
  private readonly byGame = new Map<number, Map<number, Entry>>();
  /** Game sockets talking to each server: its reply resources go with the last one. */
  private readonly serverUsers = new Map<number, number>();
  private processes: TargetProcess[] = [];
  private ports: number[] = [];
  private sink: PacketSink | null = null;
  private refreshing = false;
  private ticks = 0;
  private closed = false;

  constructor(private readonly o: CaptureSourceOptions) {}

  async open(onPacket: PacketSink): Promise<void> {
    this.sink = onPacket;
    this.processes = matchTarget(this.o.spec.target, await this.o.listProcesses(this.pidHint()));
    const t = this.o.spec.target;
    if (t.kind === 'pid' && this.processes.length === 0) {
      throw new Error(`no running process with pid ${t.pids.join(', ')}`);
    }
    await this.o.backend.start(
      { pids: this.processes.map((p) => p.pid) },
      {
        excludes: [...this.o.relayAddresses.map((a) => `${a}/32`), ...(this.o.spec.excludes ?? [])],
        captureLan: this.o.spec.captureLan ?? false,
      },
      {
        onDatagram: (game, server, payload) => this.onDatagram(game, server, payload),
        onSockets: (ports) => {
          this.ports = ports;
          this.publish();
        },
        onError: (err) => this.o.onError(err),
      },
    );
    this.publish();
  }

  /** Where capture stands now. */
  status(): CaptureStatus {
    const servers = new Map<string, CapturedServer>();
    for (const byServer of this.byGame.values()) {
      for (const e of byServer.values()) {
        const address = `${e.key.server.address}:${e.key.server.port}`;
        const s = servers.get(address) ?? { address, packets: 0, sockets: 0 };
        s.packets += e.packets;
        s.sockets++;
        servers.set(address, s);
      }
    }
    const list = [...servers.values()].sort((a, b) => b.packets - a.packets);
    return {
      phase:
        this.processes.length === 0
          ? 'waiting-for-game'
          : list.length === 0
            ? 'waiting-for-traffic'
            : 'capturing',
      processes: this.processes,
      ports: this.ports,
      servers: list,
    };
  }

  tick(): void {
    const now = nowMs();
    for (const [g, byServer] of this.byGame) {
      for (const [s, e] of byServer) {
        if (now - e.lastMs <= this.o.idleMs) continue;
        byServer.delete(s);
        const users = (this.serverUsers.get(s) ?? 1) - 1;
        if (users > 0) this.serverUsers.set(s, users);
        else {
          this.serverUsers.delete(s);
          this.o.backend.release(e.key.server);
        }
      }
      if (byServer.size === 0) this.byGame.delete(g);
    }
    // Listing every process costs a few files per process: every other tick is soon enough for a game
    // that (re)starts; the game's sockets themselves are re-read by the backend every 250 ms.
    if (++this.ticks % 2 === 0) void this.refreshTarget();
    this.publish();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sink = null;
    this.byGame.clear();
    this.serverUsers.clear();
    await this.o.backend.stop();
  }

  private onDatagram(game: Endpoint, server: Endpoint, payload: Uint8Array): void {
    const sink = this.sink;
    if (sink === null) return;
    const g = endpointNumber(game);
    let byServer = this.byGame.get(g);
    if (byServer === undefined) this.byGame.set(g, (byServer = new Map<number, Entry>()));
    const s = endpointNumber(server);
    let e = byServer.get(s);
    if (e === undefined) {
      const backend = this.o.backend;
      e = {
        key: {
          id: `capture|${game.address}:${game.port}>${server.address}:${server.port}`,
          game,
          server,
          reply: (p) => backend.reply(game, server, p),
          flow: null,
        },
        packets: 0,
        lastMs: 0,
      };
      byServer.set(s, e);
      this.serverUsers.set(s, (this.serverUsers.get(s) ?? 0) + 1);
      queueMicrotask(() => this.publish()); // a new server: tell the player now, not at the next tick
    }
    e.packets++;
    e.lastMs = nowMs();
    sink(e.key, payload);
  }

  /** Re-resolves the target's processes (a game restarts, a launcher starts the real game). */
  /** A PID target needs only its own processes read, not the whole process table. */
  private pidHint(): readonly number[] | undefined {
    const t = this.o.spec.target;
    return t.kind === 'pid' ? t.pids : undefined;
  }

  private async refreshTarget(): Promise<void> {
    if (this.refreshing || this.closed) return;
    this.refreshing = true;
    try {
      const next = matchTarget(this.o.spec.target, await this.o.listProcesses(this.pidHint()));
      const same =
        next.length === this.processes.length && next.every((p, i) => p.pid === this.processes[i]?.pid);
      if (!same && !this.closed) {
        this.processes = next;
        await this.o.backend.retarget({ pids: next.map((p) => p.pid) });
      }
    } catch (err) {
      if (!this.closed) this.o.onError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.refreshing = false;
    }
  }

  private publish(): void {
    if (!this.closed) this.o.onStatus(this.status());
  }
}
