/**
 * Registration for one boost run, as `lightspeed boost` does it: resolve the control address (default: the
 * first relay's host, port 4433), register with the game id, and hand back the token for every data
 * packet. A relay with no control plane yields token 0 and a message saying so; `off` skips registration.
 */
import { ControlError, DEFAULT_CONTROL_PORT } from './control-client.js';
import { ControlSession } from './control-session.js';

export interface BoostControlOptions {
  /** `HOST:PORT`, `HOST`, `off`, or undefined for the default (first relay's host, port 4433). */
  control: string | undefined;
  relays: ReadonlyArray<{ host: string }>;
  gameId: number;
  certSha256?: string | undefined;
  connectTimeoutMs?: number;
  pingIntervalMs?: number;
}

export interface BoostControl {
  token: number;
  /** Live registration (close it when the boost stops), null when token-less or off. */
  session: ControlSession | null;
}

/** Parses a `--control` value into host and port; throws ControlError('protocol') naming the bad value. */
export function parseControlAddress(
  text: string | undefined,
  relays: ReadonlyArray<{ host: string }>,
): { host: string; port: number } | null {
  if (text === 'off') return null;
  if (text === undefined) {
    const first = relays[0];
    if (!first) throw new ControlError('protocol', '--control: no relay to default to');
    return { host: first.host, port: DEFAULT_CONTROL_PORT };
  }
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(text.trim());
  const port = m?.[2] === undefined ? DEFAULT_CONTROL_PORT : Number(m[2]);
  if (!m || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new ControlError('protocol', `--control: expected HOST:PORT, HOST or off, got '${text}'`);
  }
  return { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}

/** Registers for a boost run; `log` receives one human line per notable step. */
export async function openBoostControl(
  opts: BoostControlOptions,
  log: (line: string) => void,
): Promise<BoostControl> {
  const address = parseControlAddress(opts.control, opts.relays);
  if (address === null) return { token: 0, session: null };
  const where = `${address.host}:${address.port}`;
  const outcome = await ControlSession.open({
    host: address.host,
    port: address.port,
    gameId: opts.gameId,
    certSha256: opts.certSha256,
    ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
    ...(opts.pingIntervalMs !== undefined ? { pingIntervalMs: opts.pingIntervalMs } : {}),
  });
  if (outcome.mode === 'token-less') {
    log(`control: ${outcome.message}`);
    return { token: 0, session: null };
  }
  const { session } = outcome;
  const reg = session.registration;
  const info = session.serverInfo;
  const load = info ? `, load ${info.load}% (${info.activeSessions}/${info.capacity} sessions)` : '';
  log(
    `control: registered at ${where} with ${reg.nodeId || '?'} (${reg.region || '?'}), session ${reg.sessionId}${load}`,
  );
  session.onLost((message) => log(`control: ${message}; data packets now carry a dead token`));
  return { token: reg.token, session };
}
