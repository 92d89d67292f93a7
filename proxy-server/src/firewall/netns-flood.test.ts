/**
 * Issue #15's acceptance test, in network namespaces: a player in one namespace and a flooder in another
 * reach the relay (the real CLI) in a third over veth pairs. With `lightspeed-proxy firewall apply`, the
 * player's loss under a full-speed flood from one host stays within 0.1 percentage point of its loss
 * without the flood; `firewall remove` leaves no table. Traffic only flows inside the namespaces this test
 * creates (198.18.0.0/15 addresses), which afterAll deletes.
 *
 * Skipped when not root: creating namespaces and loading nftables rules needs CAP_SYS_ADMIN/CAP_NET_ADMIN.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startFloodLab, type FloodLab } from '../testing/flood-lab.js';
import { canUseNetns } from '../testing/netns.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const PLAYER_PPS = 128;
const TRIAL_MS = 8000;

describe.skipIf(!canUseNetns())(
  'relay under a one-host flood (root only: network namespaces and nftables)',
  () => {
    let lab: FloodLab;

    beforeAll(async () => {
      // The relay, player and flooder run the compiled CLI and traffic roles.
      spawnSync('npx', ['tsc', '-p', 'proxy-server'], { cwd: root, stdio: 'ignore' });
      expect(existsSync(`${root}proxy-server/dist/testing/ns-traffic.js`)).toBe(true);
      lab = await startFloodLab(String(process.pid), '[firewall]\nenabled = true\n');
    }, 120_000);

    afterAll(async () => {
      await lab?.close();
      expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain(
        `lsr-${String(process.pid).slice(-6)}`,
      );
    });

    it('keeps the player whole under a full-speed flood with the firewall applied, and removes it cleanly', async () => {
      await lab.trial({ pps: PLAYER_PPS, durationMs: 1500, floodPps: null }); // ARP, JIT: not measured
      const quiet = await lab.trial({ pps: PLAYER_PPS, durationMs: TRIAL_MS, floodPps: null });
      expect(quiet.player.sent).toBe((PLAYER_PPS * TRIAL_MS) / 1000);

      const applied = lab.firewall('apply');
      expect(applied.status, applied.stderr).toBe(0);
      expect(applied.stdout).toContain('applied');
      expect(lab.tables()).toContain('table inet lightspeed_relay');

      // Full speed: two unpaced flooder processes on the one flooding address.
      const flooded = await lab.trial({ pps: PLAYER_PPS, durationMs: TRIAL_MS, floodPps: 0, flooders: 2 });
      // The flood was real: tens of thousands of packets per second from one address, and the kernel
      // dropped most of it before the relay's socket.
      expect(flooded.flood!.offered_pps).toBeGreaterThan(20_000);
      const counter = spawnSync(
        'ip',
        [
          'netns',
          'exec',
          lab.lab.relayNs,
          'nft',
          'list',
          'counter',
          'inet',
          'lightspeed_relay',
          'flood_dropped',
        ],
        {
          encoding: 'utf8',
        },
      ).stdout;
      const dropped = Number(/packets (\d+)/.exec(counter)?.[1] ?? 0);
      expect(dropped).toBeGreaterThan(flooded.flood!.sent / 2);

      // The acceptance criterion: within 0.1 percentage point of the quiet run.
      expect(flooded.player.loss_pct, JSON.stringify({ quiet, flooded })).toBeLessThanOrEqual(
        quiet.player.loss_pct + 0.1,
      );

      const removed = lab.firewall('remove');
      expect(removed.status, removed.stderr).toBe(0);
      expect(lab.tables()).not.toContain('lightspeed_relay');
    }, 90_000);
  },
);
