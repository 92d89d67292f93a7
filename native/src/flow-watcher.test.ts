// Opening a capture needs root (CAP_NET_RAW): those tests are skipped only when not root.
import dgram from 'node:dgram';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { checkCaptureFilter, openFlowWatcher, type FlowSample } from './flow-watcher.js';
import { ipToU32 } from './ipv4.js';
import { builtAddonPath, testSupport } from './test-support/addon.js';
import { createNamespace, isRoot, JsonLines, type Namespace } from './test-support/netns.js';

const DLT_EN10MB = 1;
const DLT_LINUX_SLL = 113;
const DLT_LINUX_SLL2 = 276;

describe('capture filters', () => {
  it('accepts a valid BPF expression and explains a broken one', () => {
    expect(() => checkCaptureFilter('udp and host 198.51.100.7 and port 3074')).not.toThrow();
    expect(() => checkCaptureFilter('udp and and port')).toThrow(/invalid capture filter: .*syntax error/);
    try {
      checkCaptureFilter('udp port 99999999');
      expect.unreachable('a port out of range must not compile');
    } catch (e) {
      expect((e as { code?: string }).code).toBe('EFILTER');
      expect((e as Error).message).toMatch(/invalid capture filter: .*port/);
    }
  });
});

async function sendFrom(port: number, to: number, count: number): Promise<void> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
  for (let i = 0; i < count; i++) {
    await new Promise<void>((resolve, reject) =>
      socket.send(Buffer.alloc(100 + i), to, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
    );
  }
  socket.close();
}

async function collect(take: () => FlowSample[], want: number, timeoutMs = 5000): Promise<FlowSample[]> {
  const all: FlowSample[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    all.push(...take());
    if (all.reduce((n, f) => n + f.packets, 0) >= want) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return all;
}

describe.skipIf(!isRoot)('flow watcher on loopback (needs root)', () => {
  const src = 20_000 + Math.floor(Math.random() * 10_000);
  const dst = src + 1;

  it.each([
    ['lo', [DLT_EN10MB]],
    ['any', [DLT_LINUX_SLL, DLT_LINUX_SLL2]],
  ] as const)('counts packets and bytes per 5-tuple on %s', async (device, linkTypes) => {
    const watcher = openFlowWatcher({
      device,
      filter: `udp and host 127.0.0.1 and src port ${src} and dst port ${dst}`,
    });
    try {
      expect(linkTypes).toContain(watcher.linkType);
      await sendFrom(src, dst, 4);
      const flows = await collect(() => watcher.take(), 4);
      const lo = ipToU32('127.0.0.1');
      // bytes: IPv4 total length = 20 (IP) + 8 (UDP) + payload (100..103).
      expect(flows).toEqual([
        {
          srcIp: lo,
          srcPort: src,
          dstIp: lo,
          dstPort: dst,
          packets: 4,
          bytes: 4 * 28 + 100 + 101 + 102 + 103,
        },
      ]);
      expect(watcher.take()).toEqual([]);
      const stats = watcher.stats();
      expect(stats.matched).toBe(4);
      expect(stats.received).toBeGreaterThanOrEqual(4);
      expect(stats.overflowed).toBe(0);
    } finally {
      watcher.close();
    }
    watcher.close(); // twice is fine
  });

  it('keeps at most 4096 tuples between takes and counts the rest as overflow', async () => {
    const watcher = openFlowWatcher({
      device: 'lo',
      filter: `udp and host 127.0.0.1 and src port ${src + 2}`,
    });
    try {
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(src + 2, '127.0.0.1', resolve));
      // 4100 distinct destination ports = 4100 distinct 5-tuples (nothing listens: ICMP is not counted).
      for (let i = 0; i < 4100; i++) {
        await new Promise<void>((resolve, reject) =>
          socket.send('x', 40_000 + i, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
        );
      }
      socket.close();
      for (const deadline = Date.now() + 5000; watcher.stats().matched < 4100 && Date.now() < deadline;) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(watcher.stats()).toMatchObject({ matched: 4100, overflowed: 4 });
      const flows = watcher.take();
      expect(flows).toHaveLength(4096);
      expect(flows.every((f) => f.packets === 1 && f.bytes === 29)).toBe(true);
      expect(watcher.take()).toEqual([]);
    } finally {
      watcher.close();
    }
  });

  it("rejects a bad filter on open with pcap's message, and an unknown device", () => {
    expect(() => openFlowWatcher({ device: 'lo', filter: 'udp and and' })).toThrow(
      /invalid capture filter: .*syntax error/,
    );
    expect(() => openFlowWatcher({ device: 'ls-no-such-if0', filter: 'udp' })).toThrow(
      /pcap_activate\(ls-no-such-if0\)/,
    );
  });
});

describe.skipIf(!isRoot)('flow watcher in a network namespace (needs root)', () => {
  let ns: Namespace;
  beforeAll(() => {
    ns = createNamespace();
    ns.run('ip', ['link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
    ns.run('ip', ['addr', 'add', '198.18.0.1/24', 'dev', 'v0']);
    ns.run('ip', ['link', 'set', 'v0', 'up']);
    ns.run('ip', ['link', 'set', 'v1', 'up']);
    // A fixed neighbour: the datagrams leave v0 (and arrive on v1) without an ARP exchange.
    ns.run('ip', ['neigh', 'add', '198.18.0.2', 'lladdr', '02:00:00:00:00:02', 'dev', 'v0']);
  });
  afterAll(() => ns?.destroy());

  it('sees the game flow on the veth and on any', async () => {
    const child = ns.spawn(process.execPath, [
      testSupport('pcap-child.mjs'),
      builtAddonPath(),
      'udp and dst port 7777',
      'v0',
      'v1',
      'any',
    ]);
    const out = new JsonLines(child);
    await out.next((l) => l.ready === true);
    const sender = ns.spawn(process.execPath, [
      testSupport('udp-sender.mjs'),
      '41000',
      '198.18.0.2',
      '7777',
      'x',
      '6',
      '200',
    ]);
    await new JsonLines(sender).next((l) => l.done === true);
    child.stdin.write('take\n');
    const tuple = {
      srcIp: ipToU32('198.18.0.1'),
      srcPort: 41000,
      dstIp: ipToU32('198.18.0.2'),
      dstPort: 7777,
    };
    // 'x-0'..'x-5': 3 payload bytes + 28 header bytes each.
    const v0 = await out.next((l) => l.device === 'v0');
    expect(v0).toMatchObject({ linkType: DLT_EN10MB, flows: [{ ...tuple, packets: 6, bytes: 6 * 31 }] });
    const v1 = await out.next((l) => l.device === 'v1');
    expect(v1).toMatchObject({ linkType: DLT_EN10MB, flows: [{ ...tuple, packets: 6, bytes: 6 * 31 }] });
    // `any` sees each datagram leave v0 and arrive on v1.
    const any = await out.next((l) => l.device === 'any');
    expect(any).toMatchObject({ flows: [{ ...tuple, packets: 12, bytes: 12 * 31 }] });
    expect((any.stats as { matched: number }).matched).toBe(12);
  });
});
