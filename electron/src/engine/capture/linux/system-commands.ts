/**
 * Runs `nft` and `ip` for capture, turning their failures into errors that say what to do: a missing
 * binary names the Debian package, a permission error names the capability.
 */
import { spawn } from 'node:child_process';

export class CaptureCommandError extends Error {
  constructor(
    message: string,
    readonly kind: 'missing' | 'permission' | 'failed',
  ) {
    super(message);
  }
}

const PACKAGES: Record<string, string> = { nft: 'nftables', ip: 'iproute2' };

/** Runs `cmd args…` with `input` on stdin; resolves with stdout, rejects with a CaptureCommandError. */
export function run(cmd: 'nft' | 'ip', args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'ENOENT'
          ? new CaptureCommandError(
              `'${cmd}' is not installed (Debian/Ubuntu: apt-get install ${PACKAGES[cmd]})`,
              'missing',
            )
          : new CaptureCommandError(`${cmd}: ${e.message}`, 'failed'),
      );
    });
    child.on('close', (code) => {
      if (code === 0) return resolve(out);
      const text = err.trim() || out.trim() || `exit status ${code}`;
      const permission = /Operation not permitted|Permission denied/i.test(text);
      reject(
        new CaptureCommandError(
          permission
            ? `${cmd} ${args.join(' ')}: ${text} — capture needs CAP_NET_ADMIN (run as root, or see 'lightspeed capture --check')`
            : `${cmd} ${args.join(' ')}: ${text}`,
          permission ? 'permission' : 'failed',
        ),
      );
    });
    child.stdin.on('error', () => {
      // the command exited before reading its input; 'close' reports why
    });
    child.stdin.end(input ?? '');
  });
}
