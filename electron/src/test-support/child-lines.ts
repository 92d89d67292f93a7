/** A child process's stdout as lines, for tests and benchmarks that drive CLIs. */
import type { ChildProcess } from 'node:child_process';
import readline from 'node:readline';

export type NextLine = (test: (line: string) => boolean, timeoutMs?: number) => Promise<string>;

/**
 * `next(test)` resolves with the first line not yet taken that passes `test` (already printed or still to
 * come), and takes it; it rejects after `timeoutMs` (default 15 s) with the child's recent output.
 */
export function lines(child: ChildProcess): NextLine {
  const pending: string[] = [];
  const waiters = new Set<{ test: (l: string) => boolean; resolve: (l: string) => void }>();
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    for (const w of waiters) {
      if (w.test(line)) {
        waiters.delete(w);
        w.resolve(line);
        return;
      }
    }
    pending.push(line);
    if (pending.length > 10_000) pending.shift();
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  return (test, timeoutMs = 15_000) => {
    const i = pending.findIndex(test);
    if (i >= 0) return Promise.resolve(pending.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const w = { test, resolve };
      waiters.add(w);
      setTimeout(() => {
        if (!waiters.delete(w)) return;
        reject(new Error(`timed out; stdout:\n${pending.slice(-20).join('\n')}\nstderr:\n${err}`));
      }, timeoutMs);
    });
  };
}
