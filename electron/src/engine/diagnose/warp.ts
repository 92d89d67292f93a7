/**
 * Cloudflare WARP: whether `warp-cli` is installed and connected (`warp-cli status`). WARP changes the
 * direct path (the game's traffic then leaves through Cloudflare), so `diagnose` says so next to its
 * direct measurement.
 */
import { execFile } from 'node:child_process';

export interface WarpStatus {
  installed: boolean;
  connected: boolean;
  /** The status line warp-cli printed, when it ran. */
  detail: string | null;
}

/** Reads `warp-cli status` output: "Status update: Connected" (and older "Status: Connected"). */
export function parseWarpStatus(output: string): { connected: boolean; detail: string } {
  const line =
    output
      .split('\n')
      .find((l) => /status/i.test(l))
      ?.trim() ?? output.trim();
  return { connected: /\bconnected\b/i.test(line) && !/\bdisconnected\b/i.test(line), detail: line };
}

export function detectWarp(command = 'warp-cli', timeoutMs = 2000): Promise<WarpStatus> {
  return new Promise((resolve) => {
    execFile(command, ['--accept-tos', 'status'], { timeout: timeoutMs }, (err, stdout) => {
      if (err !== null && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        resolve({ installed: false, connected: false, detail: null });
        return;
      }
      const parsed = parseWarpStatus(String(stdout));
      resolve({
        installed: true,
        connected: err === null && parsed.connected,
        detail: parsed.detail || null,
      });
    });
  });
}
