// Needs root (network namespaces, nftables tproxy, IP_TRANSPARENT): skipped only when not root.
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

  it('drains a backlog in batches of at most 8 x 32 per wake-up, losing nothing', async () => {
    const batchesBefore = out.all().filter((l) => typeof l.batch === 'number').length;
    const marker = join(tmpdir(), `${ns.name}-resume`);
    child.stdin.write(`stall ${marker}\n`);
    await out.next((l) => l.stalling === true);
    const flood = ns.spawn(process.execPath, [
      testSupport('udp-sender.mjs'),
      String(gamePort),
      SERVER,
      String(SERVER_PORT),
      'flood',
      '300',
      '4000',
    ]);
    const floodOut = new JsonLines(flood);
    await floodOut.next((l) => l.sent === true, 20_000);
    await new Promise((r) => setTimeout(r, 200));
    writeFileSync(marker, '');
    await floodOut.next((l) => l.done === true, 20_000);
    rmSync(marker, { force: true });
    const floodLines = () =>
      out
        .all()
        .filter((l) => (l.datagram as { payload?: string } | undefined)?.payload?.startsWith('flood-'));
    // The child's output may still be in flight: wait for all 300 lines.
    for (const deadline = Date.now() + 5000; floodLines().length < 300 && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const sizes = out
      .all()
      .filter((l) => typeof l.batch === 'number')
      .slice(batchesBefore)
      .map((l) => l.batch as number);
    // The stall left all 300 queued: one wake-up takes 8 recvmmsg calls of 32, the next the rest.
    expect(sizes).toEqual([256, 44]);
    expect(floodLines()).toHaveLength(300);
    expect(floodOut.all().filter((l) => l.reply !== undefined)).toHaveLength(300);
  });

  it('counts what it received and sent, and closes', async () => {
    child.stdin.write('close\n');
    const { stats } = await out.next((l) => l.stats !== undefined);
    expect(stats).toMatchObject({
      received: 305,
      sent: 305,
      sendErrors: 0,
      truncated: 0,
      replySockets: 1,
      // 1 MiB asked (the kernel doubles it): SO_RCVBUFFORCE passed net.core.rmem_max.
      receiveBuffer: 2 * 1024 * 1024,
    });
    // The flood alone took 10 recvmmsg calls (9 x 32 + 12).
    expect((stats as { batches: number }).batches).toBeGreaterThanOrEqual(11);
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
