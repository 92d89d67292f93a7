import { pino } from 'pino';

import { HELP, parseCli, UsageError, type CliCommand } from './args.js';
import { ConfigError, loadConfigFile, resolveConfig, type RelayConfig } from '../config/config.js';
import { applyFirewall, FirewallError, removeFirewall, rulesFromConfig } from '../firewall/nft.js';
import { FIREWALL_TABLE } from '../firewall/ruleset.js';
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
    if (err instanceof ConfigError && FLAG_OF[err.path] !== undefined) {
      throw new ConfigError(`${FLAG_OF[err.path]} (${err.path})`, err.problem);
    }
    throw err;
  }
}

async function run(command: Extract<CliCommand, { kind: 'run' }>): Promise<void> {
  let config: RelayConfig;
  try {
    config = configWithOverrides(command);
  } catch (err) {
    if (err instanceof ConfigError) fail(`invalid configuration: ${err.message}`);
    throw err;
  }
  const logger = pino({ level: config.log.level, base: { node_id: config.server.node_id } });
  let relay;
  try {
    relay = await startRelay(config, { logger });
  } catch (err) {
    if (err instanceof ConfigError) fail(`invalid configuration: ${err.message}`);
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
      if (err instanceof ConfigError) fail(`invalid configuration: ${err.message}`);
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
    if (err instanceof ConfigError) fail(`invalid configuration: ${err.message}`);
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
        process.stdout.write(`${JSON.stringify(config, null, 2)}\nconfig OK: ${command.file}\n`);
      } catch (err) {
        if (err instanceof ConfigError) fail(`invalid configuration: ${err.message}`);
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
