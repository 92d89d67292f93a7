import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';

import { afterAll, describe, expect, it } from 'vitest';

import {
  parentPid,
  parseProcNetUdp,
  processUdpSockets,
  socketInode,
  withDescendants,
} from './proc-sockets.js';

// Real rows as the kernel writes them (x86-64: addresses in little-endian words).
const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  103: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 18133 2 0000000000000000 0
  870: 0201A8C0:C87E 070071CB:1E61 01 00000000:00000000 00:00000000 00000000  1000        0 91234 2 0000000000000000 0
  999: garbage
`;
const UDP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  120: 00000000000000000000000000000000:D431 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 77001 2 0000000000000000 0
  121: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 77002 2 0000000000000000 0
`;

describe('/proc/net/udp parsing', () => {
  it('decodes IPv4 rows: little-endian address words, big-endian ports, the inode', () => {
    expect(parseProcNetUdp(UDP, 4)).toEqual([
      {
        family: 4,
        localAddress: '127.0.0.1',
        localPort: 53,
        remoteAddress: '0.0.0.0',
        remotePort: 0,
        inode: 18133,
      },
      {
        family: 4,
        localAddress: '192.168.1.2',
        localPort: 51326,
        remoteAddress: '203.113.0.7',
        remotePort: 7777,
        inode: 91234,
      },
    ]);
  });

  it('decodes IPv6 rows (any address, and ::1)', () => {
    const rows = parseProcNetUdp(UDP6, 6);
    expect(rows.map((r) => [r.localAddress, r.localPort, r.inode])).toEqual([
      ['0:0:0:0:0:0:0:0', 54321, 77001],
      ['0:0:0:0:0:0:0:1', 8080, 77002],
    ]);
  });

  it('skips malformed rows instead of throwing', () => {
    expect(parseProcNetUdp('header\n 1: zz:zz 00:00 07 x x x 0 0 5\n 2: 0100007F:0035\n\n', 4)).toEqual([]);
    expect(parseProcNetUdp('', 4)).toEqual([]);
  });

  it('reads socket inodes from fd link targets only', () => {
    expect(socketInode('socket:[91234]')).toBe(91234);
    expect(socketInode('pipe:[91234]')).toBeNull();
    expect(socketInode('/dev/null')).toBeNull();
  });

  it('reads the parent pid even when comm holds spaces and parentheses', () => {
    expect(parentPid('4242 (Game (x) 2) S 4000 4242 4242 0 -1 4194560')).toBe(4000);
    expect(parentPid('nonsense')).toBeNull();
  });
});

describe('a process’s UDP sockets from a procfs tree', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('joins fd links with the process’s own net/udp table, and walks descendants', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'ls-proc-'));
    dirs.push(root);
    const proc = async (pid: number, ppid: number, fds: string[], children?: string): Promise<void> => {
      await mkdir(path.join(root, String(pid), 'fd'), { recursive: true });
      await mkdir(path.join(root, String(pid), 'task', String(pid)), { recursive: true });
      if (children !== undefined)
        await writeFile(path.join(root, String(pid), 'task', String(pid), 'children'), children);
      await mkdir(path.join(root, String(pid), 'net'), { recursive: true });
      await writeFile(path.join(root, String(pid), 'stat'), `${pid} (game) S ${ppid} 1 1 0`);
      await writeFile(path.join(root, String(pid), 'net', 'udp'), UDP);
      await writeFile(path.join(root, String(pid), 'net', 'udp6'), UDP6);
      for (const [i, t] of fds.entries()) await symlink(t, path.join(root, String(pid), 'fd', String(i)));
    };
    // A kernel without CONFIG_PROC_CHILDREN: descendants come from every process's stat.
    await proc(100, 1, ['socket:[91234]', 'pipe:[5]', '/dev/null']);
    await proc(101, 100, ['socket:[77001]']);
    await proc(200, 1, ['socket:[18133]']);
    expect((await processUdpSockets(100, root)).map((s) => s.localPort)).toEqual([51326]);
    expect((await processUdpSockets(101, root)).map((s) => s.localPort)).toEqual([54321]);
    expect(await processUdpSockets(999, root)).toEqual([]);
    expect(await withDescendants([100], root)).toEqual([100, 101]);
  });

  it('walks the kernel’s children lists when it has them', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'ls-proc-'));
    dirs.push(root);
    const proc = async (pid: number, children: string): Promise<void> => {
      await mkdir(path.join(root, String(pid), 'task', String(pid)), { recursive: true });
      await writeFile(path.join(root, String(pid), 'task', String(pid), 'children'), children);
      // A stat that lies: proves the children lists, not the stat scan, were used.
      await writeFile(path.join(root, String(pid), 'stat'), `${pid} (x) S 1 1 1 0`);
    };
    await proc(10, '11 12 ');
    await proc(11, '13 ');
    await proc(12, '');
    await proc(13, '');
    await proc(20, '');
    expect(await withDescendants([10], root)).toEqual([10, 11, 12, 13]);
  });

  it('finds this process’s real children in the real /proc', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 5000)']);
    try {
      await new Promise((r) => child.once('spawn', r));
      expect(await withDescendants([process.pid])).toContain(child.pid);
    } finally {
      child.kill();
    }
  });

  it('finds a real socket of this very process in the real /proc', async () => {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    try {
      const ports = (await processUdpSockets(process.pid)).map((s) => s.localPort);
      expect(ports).toContain(sock.address().port);
    } finally {
      sock.close();
    }
  });
});
