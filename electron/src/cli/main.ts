/**
 * `lightspeed`: the headless face of the desktop app. Every subcommand drives the same engine the
 * window uses. Subcommands load lazily so `lightspeed games` never pays for the relay code.
 */
import { readFileSync } from 'node:fs';

import { UsageError, type Command } from './command.js';

interface Entry {
  summary: string;
  load: () => Promise<Command>;
}

// Summaries live here so that `lightspeed --help` loads no command module.
const commands: Record<string, Entry> = {
  boost: {
    summary: "Carry a game's UDP traffic through a relay",
    load: async () => (await import('./commands/boost.js')).default,
  },
  capture: {
    summary: "Carry a running game's own UDP traffic through a relay (no address needed)",
    load: async () => (await import('./commands/capture.js')).default,
  },
  probe: {
    summary: 'Measure and rank relays',
    load: async () => (await import('./commands/probe.js')).default,
  },
  diagnose: {
    summary: 'Direct path vs each relay path: ms saved, loss avoided, or direct is better',
    load: async () => (await import('./commands/diagnose.js')).default,
  },
  sessions: {
    summary: 'The last boost sessions kept on this machine (summaries, ms saved)',
    load: async () => (await import('./commands/sessions.js')).default,
  },
  demo: {
    summary: 'Local relay, lossy link and simulated game: watch FEC work',
    load: async () => (await import('./commands/demo.js')).default,
  },
  'lossy-link': {
    summary: 'A UDP forwarder that drops, delays, reorders and duplicates',
    load: async () => (await import('./commands/lossy-link.js')).default,
  },
  games: {
    summary: 'List installed and running games',
    load: async () => (await import('./commands/games.js')).default,
  },
  dashboard: {
    summary: 'Serve the app UI to a browser on 127.0.0.1',
    load: async () => (await import('./commands/dashboard.js')).default,
  },
  registry: {
    summary: 'Operators: make a registry key, sign a relay list, verify a registry',
    load: async () => (await import('./commands/registry.js')).default,
  },
};

function topHelp(): string {
  const lines = ['Usage: lightspeed <command> [options]', '', 'Commands:'];
  for (const [name, entry] of Object.entries(commands)) lines.push(`  ${name.padEnd(12)} ${entry.summary}`);
  lines.push(
    '',
    "Run 'lightspeed <command> --help' for a command's options, 'lightspeed --version' for the version.",
  );
  return lines.join('\n');
}

/** The version of the package this CLI ships in (electron/package.json, beside dist/). */
function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    console.error(topHelp()); // no command is bad usage: help on stderr, exit 2
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    console.log(topHelp());
    return 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    console.log(`lightspeed ${version()}`);
    return 0;
  }
  const entry = commands[name];
  if (!entry) {
    // A usage error is one line and a pointer, not the whole help.
    console.error(`lightspeed: unknown command '${name}'\nsee 'lightspeed --help'`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`lightspeed ${name}: ${err.message}\nsee 'lightspeed ${name} --help'`);
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
