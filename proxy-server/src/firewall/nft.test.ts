/**
 * nft for real: the generated ruleset loads into the kernel, re-applying replaces it, removing leaves no
 * table, and the two operator mistakes (no nft, no privilege) give messages that say what to do. The kernel
 * tests run as root in a network namespace of their own (never the host's ruleset) and are skipped when
 * not root, because creating a namespace and loading nftables rules needs CAP_SYS_ADMIN/CAP_NET_ADMIN.
 */
import { spawnSync } from 'node:child_process';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { applyFirewall, FirewallError, listFirewall, removeFirewall, runNft } from './nft.js';

const isRoot = process.getuid?.() === 0;
const ns = `ls-nft-${process.pid}`;
const inNs = { command: ['ip', 'netns', 'exec', ns, 'nft'] };
const rules = { dataPort: 4434, perSourcePps: 4000, burst: 1000, maxSources: 1024, sourceTimeoutS: 30 };

async function errorOf(p: Promise<unknown>): Promise<FirewallError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(FirewallError);
    return err as FirewallError;
  }
  throw new Error('expected a FirewallError');
}

describe('firewall: operator errors', () => {
  it('says to install nftables when nft is missing', async () => {
    const err = await errorOf(applyFirewall(rules, { command: ['/nonexistent/bin/nft'] }));
    expect(err.kind).toBe('no_nft');
    expect(err.message).toContain('apt-get install nftables');
  });
});

describe.skipIf(!isRoot)(
  'firewall in a network namespace (root only: needs CAP_SYS_ADMIN and CAP_NET_ADMIN)',
  () => {
    beforeAll(() => {
      spawnSync('ip', ['netns', 'del', ns]);
      const r = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    });
    afterAll(() => {
      spawnSync('ip', ['netns', 'del', ns]);
    });

    it('says CAP_NET_ADMIN / root when nft lacks privileges', async () => {
      const err = await errorOf(applyFirewall(rules, { uid: 65534, gid: 65534 }));
      expect(err.kind).toBe('no_privilege');
      expect(err.message).toContain('CAP_NET_ADMIN');
      expect(err.message).toContain('root');
    });

    it('applies, replaces atomically, and removes exactly its own table', async () => {
      // Someone else's table in the same namespace must survive apply and remove.
      await runNft(
        'table inet operator_rules {\n\tchain input {\n\t\ttype filter hook input priority 0;\n\t}\n}\n',
        inNs,
      );
      expect(await listFirewall(inNs)).toBeNull();
      await applyFirewall(rules, inNs);
      const listed = await listFirewall(inNs);
      expect(listed).toContain('table inet lightspeed_relay');
      expect(listed).toContain('limit rate over 4000/second burst 1000 packets');
      expect(listed).toContain('udp dport 4434');
      await applyFirewall({ ...rules, dataPort: 5555, perSourcePps: 9000 }, inNs);
      const replaced = (await listFirewall(inNs))!;
      expect(replaced).toContain('udp dport 5555');
      expect(replaced).toContain('limit rate over 9000/second');
      expect(replaced).not.toContain('4434');
      await removeFirewall(inNs);
      expect(await listFirewall(inNs)).toBeNull();
      await removeFirewall(inNs); // idempotent
      const all = await runNft('', inNs, ['list', 'tables']);
      expect(all).toContain('table inet operator_rules');
      expect(all).not.toContain('lightspeed_relay');
    });
  },
);
