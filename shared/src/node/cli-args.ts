/** Thin wrapper over node:util parseArgs that turns every parse problem into the caller's usage error. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type ArgOptions = NonNullable<ParseArgsConfig['options']>;

/** Parses `argv` strictly (unknown flags and stray positionals are errors) with `makeError` for problems. */
export function parseCliArgs<O extends ArgOptions>(
  argv: string[],
  options: O,
  makeError: (message: string) => Error,
): ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: false }>>['values'] {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw makeError(err instanceof Error ? err.message.split('\n')[0]! : String(err));
  }
}

/** Parses a number option within [min, max]; `name` is the flag for the message. */
export function numberArg(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
  makeError: (message: string) => Error,
  integer = false,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw makeError(
      `--${name}: expected ${integer ? 'an integer' : 'a number'} in ${min}..${max}, got '${value}'`,
    );
  }
  return n;
}
