/** `lightspeed boost` with no relay answering ends by itself, non-zero, with a reason (built CLI). */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../../bin/lightspeed.js', import.meta.url));

describe('lightspeed boost, every relay unreachable', () => {
  it('exits 1 on its own (within 30 s) saying no relay answered', async () => {
    const hole = dgram.createSocket('udp4'); // swallows keepalives: a relay that never answers
    await new Promise<void>((r) => hole.bind(0, '127.0.0.1', r));
    try {
      const child = spawn(
        process.execPath,
        [
          BIN,
          'boost',
          '--server',
          '127.0.0.1:9',
          '--relay',
          `127.0.0.1:${hole.address().port}`,
          '--control',
          'off',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      const code = await new Promise<number | null>((resolve) => {
        const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
        child.on('close', (c) => (clearTimeout(t), resolve(c)));
      });
      expect(code, stderr).toBe(1);
      expect(stderr).toMatch(/no relay answered for 20 s/);
      // Meanwhile the status line never showed a healthy 0% loss for a silent relay.
      expect(stdout).not.toMatch(/loss down 0\.0%/);
    } finally {
      hole.close();
    }
  }, 40_000);
});
