import { parseArgs } from 'node:util';

export const HELP = `lightspeed-proxy — LightSpeed relay node (UDP data plane, health and metrics)

Usage:
  lightspeed-proxy --config FILE [--data-bind ADDR] [--health-bind ADDR]
                   [--control-bind ADDR] [--log-level LEVEL]
  lightspeed-proxy check-config FILE [--print]
  lightspeed-proxy firewall apply --config FILE
  lightspeed-proxy firewall remove
  lightspeed-proxy --help | --version

Commands and options:
  --config, -c FILE     Run the relay with this TOML config (see config.example.toml).
  check-config FILE     Validate FILE: exit 0, or 2 listing every bad key. Warns (stderr) when
                        require_auth = false or health_bind (/metrics) is not a loopback address.
                        --print also prints the resolved config as JSON.
  firewall apply        Install (atomically replace) the nftables table inet lightspeed_relay:
                        per-source packet-rate limits on the data port, from [firewall] in
                        --config FILE. With [firewall] enabled = false: removes a leftover table
                        if nft allows, otherwise does nothing. Needs nft and CAP_NET_ADMIN (root).
  firewall remove       Delete exactly that table (succeeds if it is absent).
  --data-bind ADDR      Override [server] data_bind, e.g. 0.0.0.0:4434 (UDP, IPv4).
  --health-bind ADDR    Override [server] health_bind, e.g. 127.0.0.1:8080 (HTTP /health, /metrics).
  --control-bind ADDR   Override [server] control_bind, e.g. 0.0.0.0:4433 (QUIC control plane).
  --log-level LEVEL     Override [log] level: fatal, error, warn, info, debug, trace or silent.
  --help, -h            Show this help.
  --version, -v         Print the version.

Examples:
  lightspeed-proxy check-config /etc/lightspeed/relay.toml
  lightspeed-proxy --config /etc/lightspeed/relay.toml --log-level debug
  sudo lightspeed-proxy firewall apply --config /etc/lightspeed/relay.toml

Exit codes: 0 clean exit (also after SIGTERM/SIGINT), 1 runtime failure (e.g. a port in use),
2 bad usage or bad configuration (the message names the key and the problem).
Logs are JSON lines on stdout. Docs: proxy-server/README.md.`;

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'check'; file: string; print: boolean }
  | { kind: 'firewall-apply'; file: string }
  | { kind: 'firewall-remove' }
  | {
      kind: 'run';
      file: string;
      overrides: { data_bind?: string; health_bind?: string; control_bind?: string; log_level?: string };
    };

/** A usage mistake; main prints it with a pointer to --help and exits 2. */
export class UsageError extends Error {}

/** Parses argv (without node and the script); throws UsageError. */
export function parseCli(argv: readonly string[]): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        'data-bind': { type: 'string' },
        'health-bind': { type: 'string' },
        'control-bind': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        print: { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const [command, ...rest] = positionals;
  if (command === 'check-config') {
    if (rest.length !== 1) throw new UsageError('check-config takes exactly one FILE');
    if (values.config !== undefined)
      throw new UsageError('check-config takes the file as its argument, not --config');
    return { kind: 'check', file: rest[0]!, print: values.print === true };
  }
  if (command === 'firewall') {
    const [action, ...extra] = rest;
    if (extra.length > 0) throw new UsageError(`firewall: unexpected argument ${JSON.stringify(extra[0])}`);
    if (action === 'apply') {
      if (values.config === undefined) throw new UsageError('firewall apply needs --config FILE');
      return { kind: 'firewall-apply', file: values.config };
    }
    if (action === 'remove') return { kind: 'firewall-remove' };
    throw new UsageError('firewall takes "apply --config FILE" or "remove"');
  }
  if (values.print) throw new UsageError('--print belongs to check-config');
  if (command !== undefined) throw new UsageError(`unknown command or argument: ${JSON.stringify(command)}`);
  if (values.config === undefined) throw new UsageError('missing --config FILE');
  const overrides: Extract<CliCommand, { kind: 'run' }>['overrides'] = {};
  if (values['data-bind'] !== undefined) overrides.data_bind = values['data-bind'];
  if (values['health-bind'] !== undefined) overrides.health_bind = values['health-bind'];
  if (values['control-bind'] !== undefined) overrides.control_bind = values['control-bind'];
  if (values['log-level'] !== undefined) overrides.log_level = values['log-level'];
  return { kind: 'run', file: values.config, overrides };
}
