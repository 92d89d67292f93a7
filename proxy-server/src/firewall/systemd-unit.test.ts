/** The shipped unit applies the firewall privileged before the relay and removes it after, while the relay stays unprivileged (the lightspeed user). */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

const unitPath = new URL('../../systemd/lightspeed-proxy.service', import.meta.url).pathname;
const unit = readFileSync(unitPath, 'utf8');
const values = (key: string): string[] =>
  unit
    .split('\n')
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));

describe('systemd unit', () => {
  it('runs firewall apply (privileged, after check-config) and firewall remove (privileged, errors ignored)', () => {
    const pre = values('ExecStartPre');
    expect(pre).toHaveLength(2);
    expect(pre[0]).toMatch(
      /^\/usr\/bin\/node \S+lightspeed-proxy\.js check-config \/etc\/lightspeed\/relay\.toml$/,
    );
    expect(pre[1]).toMatch(
      /^\+\/usr\/bin\/node \S+lightspeed-proxy\.js firewall apply --config \/etc\/lightspeed\/relay\.toml$/,
    );
    expect(values('ExecStopPost')).toEqual([
      expect.stringMatching(/^-\+\/usr\/bin\/node \S+lightspeed-proxy\.js firewall remove$/),
    ]);
    // The relay itself: no capabilities, unprivileged dynamic user.
    expect(values('ExecStart')[0]).not.toMatch(/^[+!]/);
    expect(values('CapabilityBoundingSet')).toEqual(['']);
    expect(values('AmbientCapabilities')).toEqual(['']);
    expect(values('User')).toEqual(['lightspeed']);
  });

  it('passes systemd-analyze verify where systemd is installed', () => {
    const probe = spawnSync('systemd-analyze', ['--version']);
    // No systemd, or no /usr/bin/node for it to resolve: the structural checks above still ran.
    if (probe.error || spawnSync('test', ['-x', '/usr/bin/node']).status !== 0) return;
    const dir = mkdtempSync(join(tmpdir(), 'ls-unit-'));
    try {
      const copy = join(dir, 'lightspeed-proxy.service');
      copyFileSync(unitPath, copy);
      const r = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
      expect(r.stderr).not.toMatch(/lightspeed-proxy\.service:\d+/);
      expect(r.status, r.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
