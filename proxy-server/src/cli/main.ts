import { HELP, parseCli, UsageError, type CliCommand } from './args.js';
import {
  ConfigError,
  configWarnings,
  loadConfigFile,
  resolveConfig,
  type RelayConfig,
} from '../config/config.js';
import { applyFirewall, FirewallError, removeFirewall, rulesFromConfig } from '../firewall/nft.js';
import { FIREWALL_TABLE } from '../firewall/ruleset.js';
import { createRelayLogger } from '../ops/logger.js';
import { startRelay } from '../relay/start-relay.js';
import { VERSION } from '../version.js';

/** SIGTERM/SIGINT must end the process within 2 s even if something hangs. */
const SHUTDOWN_DEADLINE_MS = 1800;

const FLAG_OF: Record<string, string> = {
  'server.data_bind': '--data-bind',
  'server.health_bind': '--health-bind',
  'server.control_bind': '--control-bind',
  'log.level': '--log-level',
};

function fail(message: string): never {
  process.stderr.write(`lightspeed-proxy: ${message}\n`);
  process.exit(2);
}

/** Prints every problem of a bad configuration, one per line, and exits 2. */
function failConfig(err: ConfigError): never {
  const lines = err.issues.map((i) => (i.path === '' ? i.problem : `${i.path}: ${i.problem}`));
  if (lines.length === 1) fail(`invalid configuration: ${lines[0]}`);
  fail(`invalid configuration (${lines.length} problems):\n${lines.map((l) => `  ${l}`).join('\n')}`);
}

function configWithOverrides(command: Extract<CliCommand, { kind: 'run' }>): RelayConfig {
  const base = loadConfigFile(command.file);
  const o = command.overrides;
  const merged = {
    ...base,
    server: {
      ...base.server,
      ...(o.data_bind !== undefined && { data_bind: o.data_bind }),
      ...(o.health_bind !== undefined && { health_bind: o.health_bind }),
      ...(o.control_bind !== undefined && { control_bind: o.control_bind }),
    },
    log: o.log_level !== undefined ? { level: o.log_level } : base.log,
  };
  try {
    return resolveConfig(merged);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const named = err.issues.map((i) =>
      FLAG_OF[i.path] !== undefined ? { ...i, path: `${FLAG_OF[i.path]} (${i.path})` } : i,
    );
    throw new ConfigError(named[0]!.path, named[0]!.problem, named.slice(1));
  }
}

async function run(command: Extract<CliCommand, { kind: 'run' }>): Promise<void> {
  let config: RelayConfig;
  try {
    config = configWithOverrides(command);
  } catch (err) {
    if (err instanceof ConfigError) failConfig(err);
    throw err;
  }
  const logger = createRelayLogger(config.log.level, config.server.node_id);
  let relay;
  try {
    relay = await startRelay(config, { logger });
  } catch (err) {
    if (err instanceof ConfigError) failConfig(err);
    logger.fatal({ err }, 'relay failed to start');
    process.stderr.write(`lightspeed-proxy: cannot start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) process.exit(0);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.warn('shutdown deadline reached, exiting');
      process.exit(0);
    }, SHUTDOWN_DEADLINE_MS).unref();
    relay.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while stopping');
        process.exit(0);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** `firewall apply` / `firewall remove`: exit 0, 1 (nft missing, no privilege, nft failed) or 2 (config). */
async function firewall(
  command: Extract<CliCommand, { kind: 'firewall-apply' | 'firewall-remove' }>,
): Promise<void> {
  try {
    if (command.kind === 'firewall-remove') {
      await removeFirewall();
      process.stdout.write(`firewall: table ${FIREWALL_TABLE} removed (or was not present)\n`);
      return;
    }
    let config: RelayConfig;
    try {
      config = loadConfigFile(command.file);
    } catch (err) {
      if (err instanceof ConfigError) failConfig(err);
      throw err;
    }
    if (!config.firewall.enabled) {
      // A no-op by design (the systemd unit always runs it); a table left from an earlier enabled run goes.
      await removeFirewall().catch(() => undefined);
      process.stdout.write(`firewall: [firewall] enabled = false in ${command.file}: nothing applied\n`);
      return;
    }
    const rules = rulesFromConfig(config);
    await applyFirewall(rules);
    process.stdout.write(
      `firewall: table ${FIREWALL_TABLE} applied: udp port ${rules.dataPort}, ` +
        `${rules.perSourcePps} packets/s per source (burst ${rules.burst})\n`,
    );
  } catch (err) {
    if (err instanceof ConfigError) failConfig(err);
    if (!(err instanceof FirewallError)) throw err;
    process.stderr.write(`lightspeed-proxy: firewall: ${err.message}\n`);
    process.exit(1);
  }
}

async function main(argv: readonly string[]): Promise<void> {
  let command: CliCommand;
  try {
    command = parseCli(argv);
  } catch (err) {
    if (err instanceof UsageError) fail(`${err.message}\nRun "lightspeed-proxy --help" for usage.`);
    throw err;
  }
  switch (command.kind) {
    case 'help':
      process.stdout.write(`${HELP}\n`);
      return;
    case 'version':
      process.stdout.write(`${VERSION}\n`);
      return;
    case 'check':
      try {
        const config = loadConfigFile(command.file);
        // The unit runs this before every start: the resolved config goes to the journal only on request.
        if (command.print) process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
        for (const w of configWarnings(config)) process.stderr.write(`warning: ${w.path}: ${w.problem}\n`);
        process.stdout.write(`config OK: ${command.file}\n`);
      } catch (err) {
        if (err instanceof ConfigError) failConfig(err);
        throw err;
      }
      return;
    case 'firewall-apply':
    case 'firewall-remove':
      await firewall(command);
      return;
    case 'run':
      await run(command);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`lightspeed-proxy: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
