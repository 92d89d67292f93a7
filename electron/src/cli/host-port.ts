/** `HOST:PORT` options of the CLI: a bad value is a usage error that names the bad part. */
import { parseHostPort } from '@lightspeed/shared';

import { UsageError } from './command.js';

/** What is wrong with `text` as HOST:PORT, or null when `parseHostPort` accepts it. */
export function hostPortProblem(text: string, allowZero = false): string | null {
  if (parseHostPort(text, allowZero) !== null) return null;
  const at = text.lastIndexOf(':');
  if (at < 0) return `'${text}' has no port: expected HOST:PORT, e.g. 203.0.113.7:7777`;
  const host = text.slice(0, at);
  const port = text.slice(at + 1);
  if (port === '') return `'${text}' has no port after the ':'`;
  if (!/^[0-9]+$/.test(port)) return `port '${port}' is not a number`;
  const min = allowZero ? 0 : 1;
  if (port.length > 5 || Number(port) > 65535 || Number(port) < min)
    return `port ${port} is out of range (${min}..65535)`;
  if (host === '') return `'${text}' has no host before the ':'`;
  if (host.includes(':')) return `host '${host}': IPv6 addresses are not supported, use IPv4 or a name`;
  return `host '${host}' is not an IPv4 address or host name (letters, digits, '.' and '-')`;
}

/** Parses `--<name> HOST:PORT`; throws a UsageError naming the option and the bad part. */
export function hostPortArg(name: string, text: string, allowZero = false): { host: string; port: number } {
  const problem = hostPortProblem(text, allowZero);
  if (problem !== null) throw new UsageError(`--${name}: ${problem}`);
  return parseHostPort(text, allowZero)!;
}
