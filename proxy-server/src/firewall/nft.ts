/**
 * Runs nft: `firewall apply` / `firewall remove`. Every failure becomes a FirewallError whose message says
 * what to do (install nftables, run with CAP_NET_ADMIN); nothing outside the relay's own table is touched.
 */
import { spawn } from 'node:child_process';

import { firewallRuleset, removalScript, type FirewallRules } from './ruleset.js';
import { parseIpv4BindAddress } from '../config/bind-address.js';
import { ConfigError, type RelayConfig } from '../config/config.js';

/** A firewall command failed; the message is meant for the operator. */
export class FirewallError extends Error {
  constructor(
    readonly kind: 'no_nft' | 'no_privilege' | 'nft_failed',
    message: string,
  ) {
    super(message);
    this.name = 'FirewallError';
  }
}

export interface NftOptions {
  /** The command that runs nft (default `["nft"]`); tests prefix `ip netns exec NAME`. */
  command?: readonly string[];
  /** Run nft as this user/group (tests check the unprivileged error). */
  uid?: number;
  gid?: number;
}

/** Runs `nft -f -` with `script` on stdin as one transaction; resolves to nft's stdout. */
export function runNft(
  script: string,
  options: NftOptions = {},
  extraArgs: readonly string[] = ['-f', '-'],
): Promise<string> {
  const [file, ...pre] = options.command ?? ['nft'];
  return new Promise((resolve, reject) => {
    const child = spawn(file!, [...pre, ...extraArgs], {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.uid !== undefined && { uid: options.uid }),
      ...(options.gid !== undefined && { gid: options.gid }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => undefined); // nft may exit before reading stdin; its exit status says why
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'EACCES') {
        reject(
          new FirewallError(
            'no_nft',
            `cannot run ${JSON.stringify(file)}: ${err.code}. The firewall needs nftables: apt-get install nftables`,
          ),
        );
      } else {
        reject(new FirewallError('nft_failed', `cannot run nft: ${err.message}`));
      }
    });
    child.on('close', (code) => {
      if (code === 0) return resolve(stdout);
      const detail = stderr.trim().split('\n').slice(0, 6).join('\n');
      if (/Operation not permitted|you must be root|Permission denied/i.test(stderr)) {
        reject(
          new FirewallError(
            'no_privilege',
            'nftables refused: this command needs CAP_NET_ADMIN. Run it as root (sudo), or from the systemd ' +
              'unit, whose ExecStartPre=+/ExecStopPost=+ lines run it privileged.\n' +
              `nft said: ${detail}`,
          ),
        );
        return;
      }
      reject(new FirewallError('nft_failed', `nft exited with ${code}: ${detail}`));
    });
    child.stdin.end(script);
  });
}

/** The limits and port the config asks for. Throws ConfigError when the data port is not fixed. */
export function rulesFromConfig(config: RelayConfig): FirewallRules {
  const bind = parseIpv4BindAddress(config.server.data_bind);
  if (typeof bind === 'string') throw new ConfigError('server.data_bind', bind);
  if (bind.port === 0) {
    throw new ConfigError('server.data_bind', 'the firewall needs a fixed data port, not port 0');
  }
  const fw = config.firewall;
  return {
    dataPort: bind.port,
    perSourcePps: fw.per_source_pps,
    burst: fw.burst,
    maxSources: fw.max_sources,
    sourceTimeoutS: fw.source_timeout_s,
  };
}

/** Installs (atomically replaces) the relay's table. */
export async function applyFirewall(rules: FirewallRules, options: NftOptions = {}): Promise<void> {
  await runNft(firewallRuleset(rules), options);
}

/** Deletes the relay's table; succeeds when there is none. */
export async function removeFirewall(options: NftOptions = {}): Promise<void> {
  await runNft(removalScript(), options);
}

/** `nft list table inet lightspeed_relay`, or null when the table does not exist. */
export async function listFirewall(options: NftOptions = {}): Promise<string | null> {
  try {
    return await runNft('', options, ['list', 'table', 'inet', 'lightspeed_relay']);
  } catch (err) {
    if (
      err instanceof FirewallError &&
      err.kind === 'nft_failed' &&
      /No such file or directory/.test(err.message)
    ) {
      return null;
    }
    throw err;
  }
}
