/** `lightspeed sessions`: the last boost sessions kept on this machine, newest first. */
import type { SessionSummary } from '@lightspeed/shared';
import { parseCliArgs } from '@lightspeed/shared/node';

import { sessionsPath } from '../../ipc-backend/config-dir.js';
import { loadSessions } from '../../ipc-backend/session-history.js';
import { UsageError, type Command } from '../command.js';

const help = `Usage: lightspeed sessions [--json] [--file PATH]

The last 50 boost sessions kept on this machine, newest first: those of 'lightspeed boost' and
'lightspeed capture' and of 'lightspeed dashboard' (<config dir>/lightspeed/sessions.json). Each line: when,
how long, the relays used, ping p50/p95, loss before → after FEC, packets recovered, failovers, and the
direct path against the relay path ("without → with", ms saved) where the game server answered the probe.

Options:
  --file PATH   another sessions file (the desktop app keeps its own in its userData folder)
  --json        one line: {"sessions": [...]}, the summaries as 'boost --json' emits them
  -h, --help    this text`;

const usage = (m: string): Error => new UsageError(m);
const ms = (x: number | null | undefined): string => (x == null ? '-' : `${x.toFixed(1)} ms`);
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** One session as a line of the plain listing. */
export function sessionLine(s: SessionSummary): string {
  const direct =
    s.msSavedVsDirect === null || s.directMs == null || s.boostedMs == null
      ? `saved vs direct: ${s.directNote ?? 'not measured'}`
      : `without ${ms(s.directMs)} → with ${ms(s.boostedMs)}, saved ${ms(s.msSavedVsDirect)}`;
  return [
    s.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    `${Math.round(s.durationS)} s`,
    `via ${s.relays.join(' → ') || '-'}`,
    `ping ${ms(s.pingP50Ms)}/${ms(s.pingP95Ms)}`,
    `loss ${pct(s.lossBeforeFec)} → ${pct(s.lossAfterFec)}`,
    `recovered ${s.packetsRecovered}`,
    `failovers ${s.failovers}`,
    direct,
  ].join('  ');
}

const command: Command = {
  summary: 'The last boost sessions kept on this machine',
  help,
  async run(argv) {
    const v = parseCliArgs(
      argv,
      { file: { type: 'string' }, json: { type: 'boolean', default: false } },
      usage,
    );
    const file = v.file ?? process.env.LIGHTSPEED_SESSIONS_FILE ?? sessionsPath();
    const sessions = file === '' ? [] : await loadSessions(file);
    if (v.json) {
      console.log(JSON.stringify({ sessions }));
      return 0;
    }
    if (sessions.length === 0) {
      console.log(`no sessions kept yet (${file || 'keeping is off'})`);
      return 0;
    }
    for (const s of sessions) console.log(sessionLine(s));
    return 0;
  },
};

export default command;
