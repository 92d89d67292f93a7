/**
 * A three-namespace lab for flood tests and the flood benchmark (root only): a player and a flooder, each
 * in its own network namespace, reach a relay in a third over veth pairs. Addresses are in 198.18.0.0/15
 * (the benchmarking range) and exist only inside these namespaces; nothing touches the host's network.
 *
 *   player ns  198.18.1.2 ──veth── 198.18.1.1  relay ns (relay, echo server on 127.0.0.1)
 *   flood ns   198.18.2.2 ──veth── 198.18.2.1
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface NetnsLab {
  relayNs: string;
  playerNs: string;
  floodNs: string;
  /** The relay's address as the player sees it, and as the flooder sees it. */
  relayIpForPlayer: string;
  relayIpForFlooder: string;
  playerIp: string;
  floodIp: string;
  /** Deletes the namespaces (and with them the veth pairs, sockets' routes and nft tables). */
  destroy(): void;
}

/** Whether this process may build namespaces (root); callers skip with that reason otherwise. */
export const canUseNetns = (): boolean =>
  process.getuid?.() === 0 &&
  spawnSync('ip', ['-V']).status === 0 &&
  spawnSync('nft', ['--version']).status === 0;

function run(argv: string[]): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr || r.error?.message}`);
}

/** Builds the lab; `tag` (a few characters, e.g. the pid) keeps concurrent labs apart. */
export function createNetnsLab(tag: string): NetnsLab {
  const t = tag.slice(-6);
  const lab: NetnsLab = {
    relayNs: `lsr-${t}`,
    playerNs: `lsp-${t}`,
    floodNs: `lsf-${t}`,
    relayIpForPlayer: '198.18.1.1',
    relayIpForFlooder: '198.18.2.1',
    playerIp: '198.18.1.2',
    floodIp: '198.18.2.2',
    destroy: () => {
      for (const ns of [lab.relayNs, lab.playerNs, lab.floodNs]) spawnSync('ip', ['netns', 'del', ns]);
    },
  };
  lab.destroy(); // leftovers of a crashed run with the same tag
  try {
    for (const ns of [lab.relayNs, lab.playerNs, lab.floodNs]) {
      run(['ip', 'netns', 'add', ns]);
      run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    }
    const pairs: [string, string, string, string, string][] = [
      [lab.playerNs, `lsp${t}`, `lsrp${t}`, lab.playerIp, lab.relayIpForPlayer],
      [lab.floodNs, `lsf${t}`, `lsrf${t}`, lab.floodIp, lab.relayIpForFlooder],
    ];
    for (const [ns, outer, inner, ip, relayIp] of pairs) {
      run([
        'ip',
        'link',
        'add',
        outer,
        'netns',
        ns,
        'type',
        'veth',
        'peer',
        'name',
        inner,
        'netns',
        lab.relayNs,
      ]);
      run(['ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', outer]);
      run(['ip', '-n', lab.relayNs, 'addr', 'add', `${relayIp}/24`, 'dev', inner]);
      run(['ip', '-n', ns, 'link', 'set', outer, 'up']);
      run(['ip', '-n', lab.relayNs, 'link', 'set', inner, 'up']);
    }
  } catch (err) {
    lab.destroy();
    throw err;
  }
  return lab;
}

/** Runs `argv` inside namespace `ns`. */
export function spawnInNs(ns: string, argv: string[]): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves with the first stdout line of `child` that parses as JSON and satisfies `pick`. */
export function jsonLine<T>(
  child: ChildProcess,
  pick: (v: Record<string, unknown>) => boolean,
  timeoutMs: number,
): Promise<T> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(
      () => reject(new Error(`no result within ${timeoutMs} ms: ${stderr}`)),
      timeoutMs,
    );
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        return;
      }
      if (typeof v === 'object' && v !== null && pick(v as Record<string, unknown>)) {
        clearTimeout(timer);
        resolve(v as T);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited with ${code} before a result: ${stderr}`));
    });
  });
}

/** Kills a child and waits for it to exit (SIGKILL after 2 s). */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), 2000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
