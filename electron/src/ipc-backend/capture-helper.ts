/**
 * Capture in a privileged helper process, so the app itself never runs as root: the helper is the
 * headless `lightspeed capture --request - --json` (the desktop app runs itself with
 * `--lightspeed-capture-helper` for it). It reads one BoostRequest, runs the same engine and answers with
 * the same events as JSON lines (over stdio, or a pipe it connects back to: capture-channel.ts); when the
 * app goes away its input closes and it stops, removing every rule.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

import type {
  BoostRequest,
  BoostState,
  BoostStats,
  EngineEvent,
  EngineRoute,
  MeshRouteView,
  RelayEndpoint,
  RelayProbe,
  RelayRef,
  RouteSelectorName,
} from '@lightspeed/shared';

import { hasCaptureCapabilities } from '@lightspeed/native';

import {
  pipeChannel,
  spawnDetached,
  stdioChannel,
  type HelperChannel,
  type HelperLauncher,
} from './capture-channel.js';
import type { EngineLike } from './ports.js';

export type { HelperLauncher } from './capture-channel.js';

/** The `lightspeed` CLI entry next to this build. */
export const CLI_ENTRY = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../bin/lightspeed.js',
);

/** The packaged app runs as its own capture helper with this flag (Electron's run-as-node fuse is off). */
export const CAPTURE_HELPER_FLAG = '--lightspeed-capture-helper';

/** The command that runs `lightspeed …`: this Node with the CLI, or the desktop app in helper mode. */
function lightspeedCommand(cli: string): string[] {
  return process.versions.electron !== undefined
    ? [process.execPath, '--no-sandbox', CAPTURE_HELPER_FLAG] // no window: no renderer sandbox to keep
    : [process.execPath, cli];
}

/** PowerShell's single-quoted string. */
const psQuote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * The default launcher.
 * - Linux: the helper is our child on stdio — directly when this process already holds CAP_NET_ADMIN,
 *   else through `pkexec` (the system's password prompt; the helper then drops to the user, keeping only
 *   CAP_NET_ADMIN and CAP_NET_RAW).
 * - Windows: UAC elevates the helper alone (`Start-Process -Verb RunAs`); an elevated process cannot use
 *   our stdio, so it connects back over a named pipe with a one-time token.
 */
export function defaultLauncher(cli = CLI_ENTRY): HelperLauncher {
  return (args) => {
    const command = [...lightspeedCommand(cli), ...args];
    if (process.platform === 'win32') {
      return pipeChannel((address, token) => {
        const [exe, ...rest] = [...command, '--connect', address, '--connect-token', token];
        spawnDetached([
          'powershell.exe',
          '-NoProfile',
          '-NonInteractive',
          '-Command',
          `Start-Process -Verb RunAs -WindowStyle Hidden -FilePath ${psQuote(exe)} -ArgumentList ${rest.map(psQuote).join(',')}`,
        ]);
      });
    }
    const [bin, ...rest] = hasCaptureCapabilities() ? command : ['pkexec', ...command];
    return Promise.resolve(stdioChannel(spawn(bin!, rest, { stdio: 'pipe' })));
  };
}

/** An engine whose capture runs in the helper; it speaks the engine's events, so the backend cannot tell. */
export class CaptureHelperEngine implements EngineLike {
  private channel: HelperChannel | null = null;
  private state: BoostState = { state: 'idle' };
  private stats: BoostStats | null = null;
  /** The helper's mesh route (its `mesh-route` lines), null when the capture goes through one relay. */
  private mesh: MeshRouteView | null = null;
  private readonly listeners = new Set<(e: EngineEvent) => void>();

  constructor(
    private readonly o: {
      keepaliveMs: number;
      /** The app's route selector setting, passed on to the helper. */
      selector?: RouteSelectorName;
      /** The app's relay mesh setting (exit 'auto' or a node id, multipath), passed on to the helper. */
      mesh?: { exit: string; multipath: boolean };
      launch: HelperLauncher;
      /** Probing needs no privileges: an in-process engine does it. */
      prober: Pick<EngineLike, 'probe'>;
    },
  ) {}

  async start(request: BoostRequest): Promise<void> {
    const channel = await this.o.launch([
      'capture',
      '--request',
      '-',
      '--json',
      '--keepalive-ms',
      String(this.o.keepaliveMs),
      '--selector',
      this.o.selector ?? 'ml',
      ...(this.o.mesh === undefined
        ? []
        : ['--exit', this.o.mesh.exit, ...(this.o.mesh.multipath ? ['--multipath'] : [])]),
    ]);
    this.channel = channel;
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (err: Error | null): void => {
        if (settled) return;
        settled = true;
        if (err === null) resolve();
        else reject(err);
      };
      readline.createInterface({ input: channel.output }).on('line', (line) => {
        let msg: { type?: string; reason?: string; mesh?: MeshRouteView };
        try {
          msg = JSON.parse(line) as typeof msg;
        } catch {
          return; // not ours
        }
        if (msg.type === 'started') return settle(null);
        if (msg.type === 'start-failed')
          return settle(new Error(msg.reason ?? 'capture helper failed to start'));
        if (msg.type === 'mesh-route') {
          this.mesh = msg.mesh ?? null;
          return;
        }
        this.onEvent(msg as EngineEvent);
      });
      void channel.ended.then((why) => {
        settle(new Error(why));
        if (this.channel === channel && this.state.state !== 'stopped' && this.state.state !== 'error') {
          this.onEvent({ type: 'state', state: { state: 'error', reason: `capture helper exited: ${why}` } });
        }
        if (this.channel === channel) this.channel = null;
      });
      channel.input.write(`${JSON.stringify(request)}\n`);
    });
  }

  async stop(reason = 'stopped by user'): Promise<void> {
    const channel = this.channel;
    this.channel = null;
    if (channel !== null) {
      channel.input.end(); // the helper stops when its input closes, removing its rules
      const t = setTimeout(() => channel.terminate(), 3000);
      await channel.ended;
      clearTimeout(t);
    }
    if (this.state.state !== 'stopped') this.onEvent({ type: 'state', state: { state: 'stopped', reason } });
  }

  getState(): BoostState {
    return this.state;
  }

  getStats(): BoostStats | null {
    return this.stats;
  }

  getRoutes(): EngineRoute[] {
    return [];
  }

  /** The mesh route (exit, each entry's path) as the helper last reported it; null through one relay. */
  meshRoute(): MeshRouteView | null {
    return this.mesh;
  }

  currentRelay(): RelayRef | null {
    const s = this.state;
    return 'relay' in s ? s.relay : null;
  }

  probe(relays: RelayEndpoint[]): Promise<RelayProbe[]> {
    return this.o.prober.probe(relays);
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private onEvent(e: EngineEvent): void {
    if (e.type === 'state') this.state = e.state;
    else if (e.type === 'stats') this.stats = e.stats;
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // a broken subscriber must not break the others
      }
    }
  }
}
