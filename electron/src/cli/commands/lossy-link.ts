/** `lightspeed lossy-link`: a bad network on demand between two UDP ports (both directions). */
import { LossyLink, burstModel, numberArg, parseCliArgs, type Impairments } from '@lightspeed/shared/node';

import { UsageError, type Command } from '../command.js';
import { hostPortArg } from '../host-port.js';
import { untilSignal } from './engine-session.js';

const help = `Usage: lightspeed lossy-link --listen HOST:PORT --forward HOST:PORT [impairments] [options]

Forwards UDP from --listen to --forward and the replies back, losing, delaying, reordering and
duplicating packets on the way (both directions alike). Each client gets its own source port toward
--forward. Seeded: the same --seed and traffic give the same losses. Runs until Ctrl-C or --duration.

Impairments:
  --loss P          loss probability 0..1 (default 0)
  --burst N         make the loss bursty (Gilbert–Elliott) with mean burst length N packets (>= 1)
  --delay-ms MS     one-way delay (default 0)
  --jitter-ms MS    ± uniform jitter around the delay (default 0; order is kept)
  --reorder P       probability a packet is held back 10 ms and overtaken (default 0)
  --duplicate P     probability a packet is sent twice (default 0)
Options:
  --listen HOST:PORT   where clients send (port 0 = any free port; printed at start) (required)
  --forward HOST:PORT  where packets go (required)
  --seed N             PRNG seed (default 1)
  --duration S         exit after S seconds
  --json               counters as JSON lines
  -h, --help           this text

Example:
  lightspeed lossy-link --listen 127.0.0.1:5000 --forward 127.0.0.1:4434 --loss 0.05 --burst 3`;

const usage = (m: string): Error => new UsageError(m);

function hostPort(
  value: string | undefined,
  name: string,
  allowZero: boolean,
): { host: string; port: number } {
  if (value === undefined) throw new UsageError(`--${name} HOST:PORT is required`);
  return hostPortArg(name, value, allowZero);
}

const command: Command = {
  summary: 'UDP forwarder with seeded loss, bursts, delay, jitter, reordering, duplication',
  help,
  async run(argv) {
    const v = parseCliArgs(
      argv,
      {
        listen: { type: 'string' },
        forward: { type: 'string' },
        loss: { type: 'string' },
        burst: { type: 'string' },
        'delay-ms': { type: 'string' },
        'jitter-ms': { type: 'string' },
        reorder: { type: 'string' },
        duplicate: { type: 'string' },
        seed: { type: 'string' },
        duration: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      usage,
    );
    const listen = hostPort(v.listen, 'listen', true);
    const forward = hostPort(v.forward, 'forward', false);
    const loss = numberArg(v.loss, 'loss', 0, 0, 1, usage);
    const imp: Impairments = {
      loss,
      delayMs: numberArg(v['delay-ms'], 'delay-ms', 0, 0, 10_000, usage),
      jitterMs: numberArg(v['jitter-ms'], 'jitter-ms', 0, 0, 10_000, usage),
      reorder: numberArg(v.reorder, 'reorder', 0, 0, 1, usage),
      duplicate: numberArg(v.duplicate, 'duplicate', 0, 0, 1, usage),
    };
    if (v.burst !== undefined) {
      const meanBurst = numberArg(v.burst, 'burst', 1, 1, 1000, usage);
      if (loss >= 1) throw new UsageError('--burst needs --loss below 1');
      imp.burst = burstModel(loss, meanBurst);
    }
    const seed = numberArg(v.seed, 'seed', 1, 0, 0xffffffff, usage, true);
    const duration = v.duration === undefined ? null : numberArg(v.duration, 'duration', 0, 0.1, 1e7, usage);

    let link: LossyLink;
    try {
      link = await LossyLink.start({ listen, forward, seed, ...imp });
    } catch (err) {
      console.error(
        `lightspeed lossy-link: cannot listen on ${listen.host}:${listen.port}: ${(err as Error).message}`,
      );
      return 1;
    }
    const hello = {
      type: 'listening',
      listen: link.address,
      forward: `${forward.host}:${forward.port}`,
      seed,
      ...imp,
    };
    console.log(
      v.json
        ? JSON.stringify(hello)
        : `lossy-link listening on ${link.address} → ${forward.host}:${forward.port} (seed ${seed})`,
    );
    const report = (): void => {
      const s = link.stats();
      if (v.json) console.log(JSON.stringify({ type: 'stats', ...s }));
      else {
        const d = (x: typeof s.up): string =>
          `${x.received} in, ${x.forwarded} out, ${x.dropped} dropped (${x.received ? ((x.dropped / x.received) * 100).toFixed(1) : '0.0'}%), ${x.duplicated} dup, ${x.reordered} reordered`;
        console.log(`up: ${d(s.up)} | down: ${d(s.down)} | clients ${s.clients}`);
      }
    };
    const timer = setInterval(report, 1000);
    await untilSignal(duration);
    clearInterval(timer);
    report();
    await link.stop();
    return 0;
  },
};

export default command;
