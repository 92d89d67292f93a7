/** What every `lightspeed` subcommand module exports. */
export interface Command {
  /** One line for the top-level help. */
  summary: string;
  /** Full `--help` text: usage, options, an example. */
  help: string;
  /** Runs the command; resolves to the process exit code (2 = bad usage). */
  run(argv: string[]): Promise<number>;
}

/** Thrown for bad usage; main prints the message and a pointer to the command's --help, then exits 2. */
export class UsageError extends Error {}
