/**
 * The benchmarks' child processes (a relay, an echo server, a naive forwarder): each runs alone in its own
 * process, so the parent's work never lands on its event loop, and reports its bound port over IPC.
 */
import { fork, type ChildProcess } from 'node:child_process';

export interface Child {
  proc: ChildProcess;
  port: number;
}

/** Forks `file` (beside this module) and resolves with its process once it reports `{ port }`. */
export function startChild(file: string, args: string[] = [], execArgv: string[] = []): Promise<Child> {
  const proc = fork(new URL(file, import.meta.url).pathname, args, {
    execArgv,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    proc.once('message', (m) => resolve({ proc, port: (m as { port: number }).port }));
    proc.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

/** Asks a child to finish (IPC disconnect), killing it if it lingers past 2 s. */
export function stopChild(child: Child): Promise<void> {
  return new Promise((resolve) => {
    if (child.proc.exitCode !== null) return resolve();
    const t = setTimeout(() => child.proc.kill('SIGKILL'), 2000);
    child.proc.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.proc.disconnect();
  });
}
