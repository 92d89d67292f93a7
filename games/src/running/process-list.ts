/**
 * Process lists per OS: /proc on Linux, `tasklist /fo csv /nh` on Windows, `ps -axo pid=,comm=`
 * on macOS. The parsers are pure so fixture outputs can be tested on any host.
 */
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

import type { Platform, ProcessInfo, ProcessListProvider } from '../detect/types.js';

/** Reads every process from a procfs mount (comm and argv). Processes that exit meanwhile are left out. */
export async function readProcProcesses(procRoot = '/proc'): Promise<ProcessInfo[]> {
  let entries: string[];
  try {
    entries = await readdir(procRoot);
  } catch {
    return [];
  }
  const pids = entries.filter((e) => /^\d+$/.test(e));
  const out: ProcessInfo[] = [];
  // Bounded batches: a busy machine has thousands of pids; one batch would open them all at once.
  for (let i = 0; i < pids.length; i += 64) {
    const batch = await Promise.all(pids.slice(i, i + 64).map((pid) => readProc(procRoot, pid)));
    for (const p of batch) if (p) out.push(p);
  }
  return out;
}

/** Reads just these processes (those that exist) from a procfs mount: no walk over every pid. */
export async function readProcPids(pids: readonly number[], procRoot = '/proc'): Promise<ProcessInfo[]> {
  const found = await Promise.all(pids.map((pid) => readProc(procRoot, String(pid))));
  return found.filter((p): p is ProcessInfo => p !== undefined);
}

async function readProc(procRoot: string, pid: string): Promise<ProcessInfo | undefined> {
  try {
    const name = (await readFile(path.join(procRoot, pid, 'comm'), 'utf8')).replace(/\n$/, '');
    let cmdline: string[] = [];
    try {
      const raw = await readFile(path.join(procRoot, pid, 'cmdline'), 'utf8');
      cmdline = raw.split('\0').filter((s, i, all) => s !== '' || i < all.length - 1);
    } catch {
      // Kernel threads and exiting processes have no readable cmdline; comm is enough.
    }
    return cmdline.length > 0 ? { pid: Number(pid), name, cmdline } : { pid: Number(pid), name };
  } catch {
    return undefined;
  }
}

/** Splits one CSV line (tasklist quotes every field; "" is an escaped quote). */
function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else {
          value += line[i++];
        }
      }
      fields.push(value);
      while (i < line.length && line[i] !== ',') i++;
      i++;
    } else {
      const end = line.indexOf(',', i);
      const stop = end === -1 ? line.length : end;
      fields.push(line.slice(i, stop));
      i = stop + 1;
    }
  }
  return fields;
}

/** Parses `tasklist /fo csv /nh` output ("Image Name","PID",...); other lines are ignored. */
export function parseTasklistCsv(text: string): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('"')) continue;
    const [name, pid] = splitCsvLine(line);
    if (name === undefined || name === '' || pid === undefined || !/^\d+$/.test(pid)) continue;
    out.push({ pid: Number(pid), name });
  }
  return out;
}

/** Parses `ps -axo pid=,comm=` output (comm may be a full path containing spaces). */
export function parsePsOutput(text: string): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(\d+)\s+(.+?)\s*$/.exec(line);
    if (!m) continue;
    const comm = m[2]!;
    out.push({ pid: Number(m[1]), name: comm.split('/').pop() || comm, cmdline: [comm] });
  }
  return out;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { windowsHide: true, timeout: 10_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) =>
      err ? reject(new Error(`${cmd} failed: ${err.message}`)) : resolve(stdout),
    );
  });
}

/** The process-list provider for a platform, or undefined when it cannot run on this host. */
export function defaultProcessListProvider(platform: Platform): ProcessListProvider | undefined {
  const host = process.platform;
  if (platform !== host) return undefined;
  if (platform === 'linux') return () => readProcProcesses();
  if (platform === 'win32') return async () => parseTasklistCsv(await run('tasklist', ['/fo', 'csv', '/nh']));
  return async () => parsePsOutput(await run('ps', ['-axo', 'pid=,comm=']));
}
