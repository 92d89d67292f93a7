/**
 * Linux capture: nftables marks the game's outbound UDP, policy routing loops it back, tproxy hands it
 * to a transparent divert socket (the native module) that reads each datagram's original destination.
 * Replies leave a transparent socket bound to the game server's address, so the game accepts them as
 * the server's. The game process is never touched: no injection, no change to its sockets.
 */
import { formatIpv4 } from '@lightspeed/shared';
import { loadNative, openDivertSocket, type DivertSocket } from '@lightspeed/native';

import type {
  CaptureBackend,
  CaptureEvents,
  CaptureStartOptions,
  CaptureTarget,
  Endpoint,
} from '../capture-backend.js';
import { CaptureUnavailableError } from '../capture-errors.js';
import { captureRuleset, portsUpdate, removeRuleset, routingDown, routingUp } from './nft-ruleset.js';
import { processUdpSockets, udpTableSignature, withDescendants } from './proc-sockets.js';
import { run } from './system-commands.js';

export interface LinuxCaptureOptions {
  /** How often the game's sockets are re-read (sockets opened mid-game are picked up). Default 250 ms. */
  scanIntervalMs?: number;
  procRoot?: string;
}

/**
 * Endpoints interned by address and port: the per-packet path builds no string, and a flow's game and
 * server are the same objects every time. Bounded (a scan of many ports must not grow it forever).
 */
class EndpointCache {
  private readonly map = new Map<number, Endpoint>();
  get(ip: number, port: number): Endpoint {
    const key = ip * 65536 + port;
    let e = this.map.get(key);
    if (e === undefined) {
      if (this.map.size >= 8192) this.map.clear();
      e = { address: formatIpv4(ip), ip, port };
      this.map.set(key, e);
    }
    return e;
  }
}

export class LinuxCapture implements CaptureBackend {
  readonly platform = 'linux' as const;
  private divert: DivertSocket | null = null;
  private target: CaptureTarget = { pids: [] };
  private ports: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private scanning = false;
  private signature = '';
  private quietScans = 0;
  private stopped = false;
  private events: CaptureEvents | null = null;
  private readonly endpoints = new EndpointCache();

  constructor(private readonly o: LinuxCaptureOptions = {}) {}

  async start(target: CaptureTarget, options: CaptureStartOptions, events: CaptureEvents): Promise<void> {
    const loaded = loadNative();
    if (!loaded.ok) throw new CaptureUnavailableError(`native module: ${loaded.detail}`);
    this.target = target;
    this.events = events;
    await cleanupCapture();
    try {
      this.divert = openDivertSocket({
        address: '127.0.0.1',
        port: 0,
        onBatch: (batch) => {
          for (const d of batch) {
            events.onDatagram(
              this.endpoints.get(d.srcIp, d.srcPort),
              this.endpoints.get(d.dstIp, d.dstPort),
              d.payload,
            );
          }
        },
        onError: (err) => events.onError(err),
      });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new CaptureUnavailableError(
        e.code === 'EPERM' || /EPERM|not permitted/i.test(e.message)
          ? 'the divert socket needs CAP_NET_ADMIN (run as root, or see lightspeed capture --check)'
          : `divert socket: ${e.message}`,
      );
    }
    try {
      await run(
        'nft',
        ['-f', '-'],
        captureRuleset({
          divertPort: this.divert.port,
          ports: [],
          excludes: options.excludes,
          captureLan: options.captureLan ?? false,
        }),
      );
      for (const args of routingUp()) await run('ip', args);
      await this.scan();
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.timer = setInterval(() => void this.scan(), this.o.scanIntervalMs ?? 250);
  }

  async retarget(target: CaptureTarget): Promise<void> {
    this.target = target;
    await this.scan();
  }

  /** The game's UDP ports now in the set. */
  capturedPorts(): number[] {
    return this.ports;
  }

  reply(game: Endpoint, server: Endpoint, payload: Uint8Array): void {
    this.divert?.sendFrom(server.ip, server.port, game.ip, game.port, payload);
  }

  release(server: Endpoint): void {
    this.divert?.release(server.ip, server.port);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.divert?.close();
    this.divert = null;
    await cleanupCapture();
  }

  /** Re-reads the target's sockets and updates the port set when it changed (one atomic nft transaction). */
  private async scan(): Promise<void> {
    if (this.scanning || this.stopped) return;
    this.scanning = true;
    try {
      // Cheap first: while no UDP socket opened or closed in the game's namespace, its ports are the same.
      // (A full rescan still runs every 2 s, for a socket handed between processes.)
      const root = this.o.procRoot;
      const signature = `${this.target.pids.join(',')}#${(
        await Promise.all(this.target.pids.map((pid) => udpTableSignature(pid, root)))
      ).join('|')}`;
      if (signature === this.signature && ++this.quietScans % 8 !== 0) return;
      this.signature = signature;
      this.quietScans = 0;
      const pids = await withDescendants(this.target.pids, this.o.procRoot);
      const sockets = (await Promise.all(pids.map((pid) => processUdpSockets(pid, this.o.procRoot)))).flat();
      // A socket bound to loopback never reaches a game server; everything else may.
      const ports = [
        ...new Set(
          sockets
            .filter(
              (s) =>
                s.localPort !== 0 &&
                !s.localAddress.startsWith('127.') &&
                s.localAddress !== '0:0:0:0:0:0:0:1',
            )
            .map((s) => s.localPort),
        ),
      ].sort((a, b) => a - b);
      if (this.stopped) return;
      if (ports.join(',') !== this.ports.join(',')) {
        await run('nft', ['-f', '-'], portsUpdate(ports));
        this.ports = ports;
        this.events?.onSockets?.(ports);
      }
    } catch (err) {
      if (!this.stopped) this.events?.onError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.scanning = false;
    }
  }
}

/** What `cleanupCapture` found and removed. */
export interface CleanupReport {
  table: boolean;
  rules: number;
}

/**
 * Removes capture's table, ip rules and route table, whatever run left them (a crash cannot clean up).
 * Idempotent; run at every start and by `lightspeed capture --cleanup`.
 */
export async function cleanupCapture(): Promise<CleanupReport> {
  let table = false;
  try {
    await run('nft', ['list', 'table', 'inet', 'lightspeed']);
    table = true;
  } catch {
    // no table (or no nft: the removal below says so)
  }
  if (table) await run('nft', ['-f', '-'], removeRuleset());
  const down = routingDown();
  let rules = 0;
  // One rule per run that crashed; a bound stops a rule that `ip` cannot delete from looping forever.
  while (rules < 64) {
    try {
      await run('ip', down.rule);
      rules++;
    } catch {
      break;
    }
  }
  try {
    await run('ip', down.route);
  } catch {
    // the table is already empty
  }
  return { table, rules };
}
