// Needs root (network namespaces, nftables tproxy, IP_TRANSPARENT): skipped only when not root.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ipToU32 } from './ipv4.js';
import { builtAddonPath, testSupport } from './test-support/addon.js';
import { createNamespace, isRoot, JsonLines, type Namespace } from './test-support/netns.js';

const SERVER = '198.18.0.2';
const SERVER_PORT = 7777;
const GAME_IP = '198.18.0.1';
const MARK = '0x1ee';
const TABLE = '100';

describe.skipIf(!isRoot)('divert socket in a network namespace (needs root)', () => {
  let ns: Namespace;
  let child: ReturnType<Namespace['spawn']>;
  let out: JsonLines;
  const gamePort = 40_000 + Math.floor(Math.random() * 10_000);

  beforeAll(async () => {
    ns = createNamespace();
    ns.run('ip', ['link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
    ns.run('ip', ['addr', 'add', `${GAME_IP}/24`, 'dev', 'v0']);
    ns.run('ip', ['link', 'set', 'v0', 'up']);
    ns.run('ip', ['link', 'set', 'v1', 'up']);
    ns.run('ip', ['rule', 'add', 'fwmark', MARK, 'lookup', TABLE]);
    ns.run('ip', ['route', 'add', 'local', '0.0.0.0/0', 'dev', 'lo', 'table', TABLE]);
    child = ns.spawn(process.execPath, [testSupport('divert-child.mjs'), builtAddonPath(), '127.0.0.1']);
    out = new JsonLines(child);
    const { port } = await out.next((l) => typeof l.port === 'number');
    const rules = [
      'table inet lightspeed_test {',
      '  chain out {',
      '    type route hook output priority mangle; policy accept;',
      `    meta l4proto udp udp sport ${gamePort} ip daddr != 127.0.0.0/8 meta mark set ${MARK}`,
      '  }',
      '  chain pre {',
      '    type filter hook prerouting priority mangle; policy accept;',
      `    meta l4proto udp meta mark ${MARK} tproxy ip to 127.0.0.1:${String(port)} accept`,
      '  }',
      '}',
      '',
    ].join('\n');
    ns.run('nft', ['-f', '-'], rules);
  });

  afterAll(() => {
    child?.kill();
    ns?.destroy();
  });

  it('receives the game datagrams with their original destination and replies as the server', async () => {
    const sender = ns.spawn(process.execPath, [
      testSupport('udp-sender.mjs'),
      String(gamePort),
      SERVER,
      String(SERVER_PORT),
      'hello',
      '5',
      '1500',
    ]);
    const senderOut = new JsonLines(sender);
    await senderOut.next((l) => l.done === true, 15_000);

    const datagrams = out.all().filter((l) => l.datagram !== undefined);
    expect(datagrams).toHaveLength(5);
    for (const [i, line] of datagrams.entries()) {
      expect(line.datagram).toEqual({
        srcIp: ipToU32(GAME_IP),
        srcPort: gamePort,
        dstIp: ipToU32(SERVER),
        dstPort: SERVER_PORT,
        payload: `hello-${i}`,
      });
      expect(line.replied).toBe(true);
    }
    const replies = senderOut.all().filter((l) => l.reply !== undefined);
    expect(replies.map((r) => r.reply).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `reply:hello-${i}`));
    for (const r of replies) expect(r.from).toBe(`${SERVER}:${SERVER_PORT}`);
  });

  it('leaves another source port alone', async () => {
    const before = out.all().filter((l) => l.datagram !== undefined).length;
    const other = ns.spawn(process.execPath, [
      testSupport('udp-sender.mjs'),
      String(gamePort + 1),
      SERVER,
      String(SERVER_PORT),
      'other',
      '3',
      '500',
    ]);
    const otherOut = new JsonLines(other);
    await otherOut.next((l) => l.done === true, 15_000);
    expect(otherOut.all().filter((l) => l.reply !== undefined)).toEqual([]);
    expect(out.all().filter((l) => l.datagram !== undefined)).toHaveLength(before);
  });

  it('counts what it received and sent, and closes', async () => {
    child.stdin.write('close\n');
    const { stats } = await out.next((l) => l.stats !== undefined);
    expect(stats).toMatchObject({ received: 5, sent: 5, sendErrors: 0, truncated: 0, replySockets: 1 });
    expect((stats as { batches: number }).batches).toBeGreaterThanOrEqual(1);
    const fds = await out.next((l) => l.fdsAfter !== undefined);
    expect(fds.fdsAfter).toBe(fds.fdsBefore);
    // Closing stopped the poll and closed the fds: the child's event loop ends by itself.
    const code = await new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.on('exit', resolve);
    });
    expect(code).toBe(0);
  });
});
