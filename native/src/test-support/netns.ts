/**
 * Test network namespaces: created per test file, always deleted (with everything in them) by destroy().
 * Needs root and iproute2.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export const isRoot = process.getuid?.() === 0;

export interface Namespace {
  name: string;
  /** Runs a command inside the namespace and returns its stdout. */
  run(command: string, args: string[], input?: string): string;
  /** Starts a long-running command inside the namespace. */
  spawn(command: string, args: string[]): ChildProcessWithoutNullStreams;
  destroy(): void;
}

export function createNamespace(): Namespace {
  const name = `ls-native-${randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', name]);
  const ns: Namespace = {
    name,
    run: (command, args, input) =>
      execFileSync('ip', ['netns', 'exec', name, command, ...args], {
        encoding: 'utf8',
        ...(input === undefined ? {} : { input }),
      }),
    spawn: (command, args) => spawn('ip', ['netns', 'exec', name, command, ...args]),
    destroy: () => {
      try {
        execFileSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    },
  };
  ns.run('ip', ['link', 'set', 'lo', 'up']);
  return ns;
}

/** Collects a child's stdout as JSON lines; `next(pred)` resolves with the first matching line. */
export class JsonLines {
  private readonly lines: Record<string, unknown>[] = [];
  private readonly waiters: {
    pred: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }[] = [];
  private buffered = '';
  stderr = '';

  constructor(child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (this.stderr += chunk));
    child.stdout.on('data', (chunk: string) => {
      this.buffered += chunk;
      let newline: number;
      while ((newline = this.buffered.indexOf('\n')) >= 0) {
        const text = this.buffered.slice(0, newline);
        this.buffered = this.buffered.slice(newline + 1);
        let line: Record<string, unknown>;
        try {
          line = JSON.parse(text) as Record<string, unknown>;
        } catch {
          line = { text };
        }
        this.lines.push(line);
        for (const w of [...this.waiters]) {
          if (w.pred(line)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(line);
          }
        }
      }
    });
  }

  next(
    pred: (line: Record<string, unknown>) => boolean,
    timeoutMs = 10_000,
  ): Promise<Record<string, unknown>> {
    const seen = this.lines.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching line within ${timeoutMs} ms; stderr: ${this.stderr}`)),
        timeoutMs,
      );
      this.waiters.push({
        pred,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }

  all(): Record<string, unknown>[] {
    return [...this.lines];
  }
}
