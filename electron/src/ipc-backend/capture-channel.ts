/**
 * How the app reaches its capture helper. Two ways, one shape (`HelperChannel`: request in, JSON events
 * out, one promise for the end):
 * - stdio: the helper is our child (Linux: directly, or through pkexec, which keeps stdio);
 * - a local pipe the helper connects back to, proving itself with a one-time token: for a helper the OS
 *   elevates apart from us (Windows UAC starts it detached, with no stdio of ours). On Windows the pipe
 *   is a named pipe, elsewhere a Unix socket (how the tests exercise it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export interface HelperChannel {
  /** To the helper: the request line; ending it tells the helper to stop. */
  input: Writable;
  /** From the helper: JSON lines. */
  output: Readable;
  /** Resolves once the helper is gone, with why (its last error line, or its exit status). */
  ended: Promise<string>;
  /** Asks the helper to go away now (it removes its rules on the way out). */
  terminate(): void;
}

/** Starts the helper with `args` (after the command that runs `lightspeed`) and connects to it. */
export type HelperLauncher = (args: string[]) => Promise<HelperChannel>;

/** A helper that is our child, spoken to over its stdio. */
export function stdioChannel(child: ChildProcess): HelperChannel {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const ended = new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(`capture helper: ${err.message}`));
    child.once('exit', (code) => {
      const last = stderr.trim().split('\n').pop() ?? '';
      // pkexec: 126 = the user dismissed the password prompt, 127 = not authorised.
      if (code === 126 || code === 127)
        resolve(`capture needs administrator approval: ${last || `exit ${code}`}`);
      else resolve(last || `exit status ${code}`);
    });
  });
  child.stdin!.on('error', () => {
    // the helper exited before reading; `ended` says why
  });
  return { input: child.stdin!, output: child.stdout!, ended, terminate: () => child.kill('SIGTERM') };
}

/** A fresh pipe address: a named pipe on Windows, a Unix socket in the temp dir elsewhere. */
export function pipeAddress(): string {
  const name = `lightspeed-capture-${randomBytes(8).toString('hex')}`;
  return process.platform === 'win32' ? `\\\\.\\pipe\\${name}` : path.join(tmpdir(), `${name}.sock`);
}

/**
 * Listens on a fresh pipe, starts the helper with `start(address, token)`, and resolves with the channel
 * of the first connection that presents `token` (a connection that does not is closed). Rejects when
 * nothing connects within `timeoutMs` (the user declined the elevation prompt, or the helper failed).
 */
export async function pipeChannel(
  start: (address: string, token: string) => void,
  timeoutMs = 60_000,
): Promise<HelperChannel> {
  const address = pipeAddress();
  const token = randomBytes(16).toString('hex');
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address, () => resolve());
  });
  try {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the capture helper did not start (was the administrator prompt declined?)')),
        timeoutMs,
      );
      server.on('connection', (s) => {
        const lines = readline.createInterface({ input: s });
        lines.once('line', (first) => {
          lines.close();
          if (first !== token) {
            s.destroy();
            return;
          }
          clearTimeout(timer);
          resolve(s);
        });
        s.on('error', () => s.destroy());
      });
      start(address, token);
    });
    const ended = new Promise<string>((resolve) =>
      socket.once('close', () => resolve('capture helper disconnected')),
    );
    return { input: socket, output: socket, ended, terminate: () => socket.end() };
  } finally {
    server.close(); // one helper per channel: nobody else may connect afterwards
  }
}

/** Runs a command detached (for `start` above): its own stdio is not ours. */
export function spawnDetached(command: string[]): void {
  const [bin, ...args] = command;
  const child = spawn(bin!, args, { stdio: 'ignore', detached: true, windowsHide: true });
  child.on('error', () => {
    // nothing connects, and pipeChannel's timeout says so
  });
  child.unref();
}
