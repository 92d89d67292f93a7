/**
 * Capture in a privileged helper process, so the app itself never runs as root: the helper is the
 * headless `lightspeed capture --request - --json` (the desktop app runs itself with
 * `--lightspeed-capture-helper` for it), started through `pkexec`, or directly when this process already
 * holds CAP_NET_ADMIN. It reads one BoostRequest on stdin, runs the same engine and
 * prints the same events as JSON lines; when the app goes away its stdin closes and it stops, removing
 * every rule. From sudo/pkexec the helper drops to the user, keeping only CAP_NET_ADMIN and CAP_NET_RAW.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

import type {
  BoostRequest,
  BoostState,
  BoostStats,
  EngineEvent,
  EngineRoute,
  RelayEndpoint,
  RelayProbe,
  RelayRef,
} from '@lightspeed/shared';

import { hasCaptureCapabilities } from '@lightspeed/native';

import type { EngineLike } from './ports.js';

/** How to start the helper: argv[0] and the arguments before `capture …`. */
export type HelperLauncher = (args: string[]) => ChildProcess;

/** The `lightspeed` CLI entry next to this build. */
export const CLI_ENTRY = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../bin/lightspeed.js',
);

/** The packaged app runs as its own capture helper with this flag (Electron's run-as-node fuse is off). */
export const CAPTURE_HELPER_FLAG = '--lightspeed-capture-helper';

/**
 * The default launcher: this Node with the CLI, or the desktop app itself in helper mode; through `pkexec`
 * (the system's password prompt) when this process lacks CAP_NET_ADMIN.
 */
export function defaultLauncher(cli = CLI_ENTRY): HelperLauncher {
  return (args) => {
    const command =
      process.versions.electron !== undefined
        ? [process.execPath, '--no-sandbox', CAPTURE_HELPER_FLAG, ...args] // no window: no renderer sandbox to keep
        : [process.execPath, cli, ...args];
    // Windows: no pkexec. The UAC-elevated helper (stdio cannot cross into an elevated process; it needs a
    // named pipe) is not built yet, so there the helper runs with the app's own rights and WinDivert says
    // when they are not enough.
    const elevate = process.platform === 'linux' && !hasCaptureCapabilities();
    const [bin, ...rest] = elevate ? ['pkexec', ...command] : command;
    return spawn(bin!, rest, { stdio: 'pipe' });
  };
}

/** An engine whose capture runs in the helper; it speaks the engine's events, so the backend cannot tell. */
export class CaptureHelperEngine implements EngineLike {
  private child: ChildProcess | null = null;
  private state: BoostState = { state: 'idle' };
  private stats: BoostStats | null = null;
  private readonly listeners = new Set<(e: EngineEvent) => void>();

  constructor(
    private readonly o: {
      keepaliveMs: number;
      launch: HelperLauncher;
      /** Probing needs no privileges: an in-process engine does it. */
      prober: Pick<EngineLike, 'probe'>;
    },
  ) {}

  start(request: BoostRequest): Promise<void> {
    const child = this.o.launch([
      'capture',
      '--request',
      '-',
      '--json',
      '--keepalive-ms',
      String(this.o.keepaliveMs),
    ]);
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (err: Error | null): void => {
        if (settled) return;
        settled = true;
        if (err === null) resolve();
        else reject(err);
      };
      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        let msg: { type?: string; reason?: string };
        try {
          msg = JSON.parse(line) as typeof msg;
        } catch {
          return; // not ours
        }
        if (msg.type === 'started') return settle(null);
        if (msg.type === 'start-failed')
          return settle(new Error(msg.reason ?? 'capture helper failed to start'));
        this.onEvent(msg as EngineEvent);
      });
      child.on('error', (err) => settle(new Error(`capture helper: ${err.message}`)));
      child.on('exit', (code) => {
        const why = stderr.trim().split('\n').pop() || `exit status ${code}`;
        settle(
          new Error(code === 126 || code === 127 ? `capture needs administrator approval: ${why}` : why),
        );
        if (this.child === child && this.state.state !== 'stopped' && this.state.state !== 'error') {
          this.onEvent({ type: 'state', state: { state: 'error', reason: `capture helper exited: ${why}` } });
        }
        if (this.child === child) this.child = null;
      });
      child.stdin!.on('error', () => {
        // the helper exited before reading the request; 'exit' says why
      });
      child.stdin!.write(`${JSON.stringify(request)}\n`);
    });
  }

  async stop(reason = 'stopped by user'): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child !== null && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin?.end(); // the helper stops when its stdin closes (and on SIGTERM)
      const t = setTimeout(() => child.kill('SIGTERM'), 3000);
      await exited;
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
