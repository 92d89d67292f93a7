/**
 * Which UDP ports a process owns, from procfs: `/proc/PID/fd/*` links name socket inodes
 * (`socket:[12345]`), and `/proc/PID/net/udp` (and `udp6`) map inodes to local addresses, as seen from
 * that process's own network namespace. The parsers are pure, so fixture text tests them anywhere.
 */
import { readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';

/** One row of `/proc/net/udp` or `/proc/net/udp6`. */
export interface ProcUdpSocket {
  family: 4 | 6;
  /** Dotted quad, or the IPv6 address in full lowercase hex groups. */
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  inode: number;
}

/** Decodes the kernel's hex IPv4 (`0100007F` is 127.0.0.1: the 32-bit word in little-endian host order). */
function hexIpv4(hex: string): string | null {
  if (!/^[0-9A-Fa-f]{8}$/.test(hex)) return null;
  const v = Number.parseInt(hex, 16);
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24].join('.');
}

/** Decodes the kernel's hex IPv6: four 32-bit words, each in little-endian host order. */
function hexIpv6(hex: string): string | null {
  if (!/^[0-9A-Fa-f]{32}$/.test(hex)) return null;
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const v = Number.parseInt(hex.slice(w * 8, w * 8 + 8), 16);
    bytes.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':');
}

function endpoint(field: string, family: 4 | 6): { address: string; port: number } | null {
  const [hexAddr, hexPort, extra] = field.split(':');
  if (hexAddr === undefined || hexPort === undefined || extra !== undefined) return null;
  if (!/^[0-9A-Fa-f]{4}$/.test(hexPort)) return null;
  const address = family === 4 ? hexIpv4(hexAddr) : hexIpv6(hexAddr);
  return address === null ? null : { address, port: Number.parseInt(hexPort, 16) };
}

/** Parses `/proc/net/udp` (family 4) or `udp6` (family 6) text; malformed rows are skipped. */
export function parseProcNetUdp(text: string, family: 4 | 6): ProcUdpSocket[] {
  const out: ProcUdpSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
    if (f.length < 10) continue;
    const local = endpoint(f[1]!, family);
    const remote = endpoint(f[2]!, family);
    const inode = Number(f[9]);
    if (local === null || remote === null || !Number.isSafeInteger(inode) || inode <= 0) continue;
    out.push({
      family,
      localAddress: local.address,
      localPort: local.port,
      remoteAddress: remote.address,
      remotePort: remote.port,
      inode,
    });
  }
  return out;
}

/** The inode of a `/proc/PID/fd/N` link target when it is a socket (`socket:[12345]`), else null. */
export function socketInode(linkTarget: string): number | null {
  const m = /^socket:\[(\d+)\]$/.exec(linkTarget);
  return m === null ? null : Number(m[1]);
}

/** Socket inodes held open by `pid` (empty when the process is gone or unreadable). */
export async function socketInodes(pid: number, procRoot = '/proc'): Promise<Set<number>> {
  const dir = path.join(procRoot, String(pid), 'fd');
  const inodes = new Set<number>();
  let fds: string[];
  try {
    fds = await readdir(dir);
  } catch {
    return inodes;
  }
  await Promise.all(
    fds.map(async (fd) => {
      try {
        const inode = socketInode(await readlink(path.join(dir, fd)));
        if (inode !== null) inodes.add(inode);
      } catch {
        // closed between readdir and readlink
      }
    }),
  );
  return inodes;
}

/** The UDP sockets (IPv4 and IPv6) that `pid` holds, from its own namespace's tables. */
export async function processUdpSockets(pid: number, procRoot = '/proc'): Promise<ProcUdpSocket[]> {
  const inodes = await socketInodes(pid, procRoot);
  if (inodes.size === 0) return [];
  const read = async (file: string, family: 4 | 6): Promise<ProcUdpSocket[]> => {
    try {
      return parseProcNetUdp(await readFile(path.join(procRoot, String(pid), 'net', file), 'utf8'), family);
    } catch {
      return [];
    }
  };
  const all = [...(await read('udp', 4)), ...(await read('udp6', 6))];
  return all.filter((s) => inodes.has(s.inode));
}

/**
 * The UDP socket inodes of `pid`'s network namespace, as one string: it changes when any UDP socket opens
 * or closes there, so an unchanged signature means the game's ports cannot have changed either.
 * One or two small file reads, instead of a readlink per open file of every process captured.
 */
export async function udpTableSignature(pid: number, procRoot = '/proc'): Promise<string> {
  const read = async (file: string, family: 4 | 6): Promise<number[]> => {
    try {
      const text = await readFile(path.join(procRoot, String(pid), 'net', file), 'utf8');
      return parseProcNetUdp(text, family).map((row) => row.inode);
    } catch {
      return [];
    }
  };
  const inodes = [...(await read('udp', 4)), ...(await read('udp6', 6))];
  return inodes.sort((a, b) => a - b).join(',');
}

/** Parses `/proc/PID/stat` for the parent pid (the comm field may hold spaces and parentheses). */
export function parentPid(statText: string): number | null {
  const close = statText.lastIndexOf(')');
  if (close < 0) return null;
  const fields = statText.slice(close + 2).split(' ');
  const ppid = Number(fields[1]);
  return Number.isSafeInteger(ppid) && ppid >= 0 ? ppid : null;
}

/** Child pids of `pid` from `/proc/PID/task/TID/children` (CONFIG_PROC_CHILDREN); null where the kernel lacks it. */
async function childrenOf(pid: number, procRoot: string): Promise<number[] | null> {
  let tasks: string[];
  try {
    tasks = await readdir(path.join(procRoot, String(pid), 'task'));
  } catch {
    return []; // gone
  }
  const out: number[] = [];
  for (const tid of tasks) {
    try {
      const text = await readFile(path.join(procRoot, String(pid), 'task', tid, 'children'), 'utf8');
      for (const c of text.split(' ')) if (/^\d+$/.test(c)) out.push(Number(c));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && tid === String(pid)) {
        try {
          await readdir(path.join(procRoot, String(pid), 'task', tid));
          return null; // the task is there, its children file is not: no CONFIG_PROC_CHILDREN
        } catch {
          return out;
        }
      }
    }
  }
  return out;
}

/** Every process's parent, from each `/proc/PID/stat` (the fallback: one file per process on the machine). */
async function parentTable(procRoot: string): Promise<Map<number, number[]>> {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = (await readdir(procRoot)).filter((e) => /^\d+$/.test(e));
  } catch {
    return children;
  }
  await Promise.all(
    entries.map(async (e) => {
      try {
        const ppid = parentPid(await readFile(path.join(procRoot, e, 'stat'), 'utf8'));
        if (ppid === null) return;
        const list = children.get(ppid) ?? [];
        list.push(Number(e));
        children.set(ppid, list);
      } catch {
        // exited meanwhile
      }
    }),
  );
  return children;
}

/**
 * `roots` and every process descended from them (a launcher spawns the game, which spawns helpers).
 * Walks the kernel's children lists — a few small reads — and reads every process's stat only on a
 * kernel without them.
 */
export async function withDescendants(roots: number[], procRoot = '/proc'): Promise<number[]> {
  let table: Map<number, number[]> | null = null;
  const out = new Set<number>();
  const queue = [...roots];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    if (out.has(pid)) continue;
    out.add(pid);
    let kids = table === null ? await childrenOf(pid, procRoot) : (table.get(pid) ?? []);
    if (kids === null) {
      table = await parentTable(procRoot);
      kids = table.get(pid) ?? [];
    }
    queue.push(...kids);
  }
  return [...out].sort((a, b) => a - b);
}
