/**
 * `lightspeed`: the headless face of the desktop app. Every subcommand drives the same engine the
 * window uses. Subcommands load lazily so `lightspeed games` never pays for the relay code.
 */
import { UsageError, type Command } from './command.js';

const commands: Record<string, () => Promise<Command>> = {
  boost: async () => (await import('./commands/boost.js')).default,
  probe: async () => (await import('./commands/probe.js')).default,
  demo: async () => (await import('./commands/demo.js')).default,
  'lossy-link': async () => (await import('./commands/lossy-link.js')).default,
  games: async () => (await import('./commands/games.js')).default,
  dashboard: async () => (await import('./commands/dashboard.js')).default,
};

async function topHelp(): Promise<string> {
  const lines = ['Usage: lightspeed <command> [options]', '', 'Commands:'];
  for (const [name, load] of Object.entries(commands)) lines.push(`  ${name.padEnd(12)} ${(await load()).summary}`);
  lines.push('', "Run 'lightspeed <command> --help' for a command's options.");
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(await topHelp());
    return name === undefined ? 2 : 0;
  }
  const load = commands[name];
  if (!load) {
    console.error(`lightspeed: unknown command '${name}'\n\n${await topHelp()}`);
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`lightspeed ${name}: ${err.message}\n\n${command.help}`);
      return 2;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  },
);
