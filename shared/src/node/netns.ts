/**
 * Network namespaces for tests (root only): a few hosts on one machine, joined by veth pairs, each with
 * its own addresses, routes and nftables. Traffic stays inside namespaces the test created; `close()`
 * kills every process started here and deletes every namespace.
 */
import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** Whether this process may create namespaces (tests that need them say so and skip otherwise). */
export const canUseNetns = (): boolean => process.platform === 'linux' && process.getuid?.() === 0;

export class NetnsLab {
  private readonly namespaces: string[] = [];
  private readonly children = new Set<ChildProcess>();
  private links = 0;
  /** A short random tag: names never collide with another run's. */
  readonly tag = randomBytes(3).toString('hex');

  /** Creates a namespace with loopback up; returns its full name. */
  async add(name: string): Promise<string> {
    const full = `ls-${this.tag}-${name}`;
    await execFileP('ip', ['netns', 'add', full]);
    this.namespaces.push(full);
    await this.ip(full, 'link', 'set', 'lo', 'up');
    return full;
  }

  /** Joins two namespaces with a veth pair and gives each end an address (`198.18.1.2/24`). */
  async link(a: string, aCidr: string, b: string, bCidr: string): Promise<void> {
    const n = this.links++;
    const va = `v${this.tag}${n}a`;
    const vb = `v${this.tag}${n}b`;
    await execFileP('ip', ['link', 'add', va, 'netns', a, 'type', 'veth', 'peer', 'name', vb, 'netns', b]);
    await this.ip(a, 'addr', 'add', aCidr, 'dev', va);
    await this.ip(b, 'addr', 'add', bCidr, 'dev', vb);
    await this.ip(a, 'link', 'set', va, 'up');
    await this.ip(b, 'link', 'set', vb, 'up');
  }

  /** `ip ARGS…` inside `ns`. */
  async ip(ns: string, ...args: string[]): Promise<string> {
    return this.exec(ns, 'ip', args);
  }

  /** Runs a command inside `ns` to completion; rejects with its stderr on failure. */
  async exec(ns: string, cmd: string, args: string[], input?: string): Promise<string> {
    const child = execFile('ip', ['netns', 'exec', ns, cmd, ...args]);
    if (input !== undefined) child.stdin?.end(input);
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    return new Promise((resolve, reject) => {
      child.on('close', (code) =>
        code === 0
          ? resolve(out)
          : reject(new Error(`${cmd} ${args.join(' ')} in ${ns}: ${err.trim() || code}`)),
      );
    });
  }

  /** Lets `ns` route between its links. */
  async forwarding(ns: string): Promise<void> {
    await this.exec(ns, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
  }

  /** Starts a long-running process inside `ns` (`ip netns exec` execs it: the child's pid is the process's). */
  spawn(ns: string, cmd: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: 'pipe', ...options });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /** Kills what is still running and deletes the namespaces (their veths go with them). */
  async close(): Promise<void> {
    for (const c of this.children) c.kill('SIGKILL');
    await Promise.all(
      [...this.children].map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))),
    );
    for (const ns of this.namespaces.splice(0))
      await execFileP('ip', ['netns', 'del', ns]).catch(() => undefined);
  }
}
