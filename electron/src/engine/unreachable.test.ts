/** Honest states: a relay that never answers reads as lost, and a boost with no relay answering ends. */
import dgram from 'node:dgram';

import { EchoServer } from '@lightspeed/shared/node';
import { afterEach, describe, expect, it } from 'vitest';

import { BoostEngine, type BoostStats, type EngineEvent } from './index.js';
import { waitFor } from '../test-support/wait.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A UDP port that swallows everything (a relay whose host drops our packets). */
async function blackHole(): Promise<number> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  cleanups.push(() => void sock.close());
  return sock.address().port;
}

describe('when no relay answers', () => {
  it('reads 100% loss, never a green 0%, and ends in an error naming the relays after giveUpMs', async () => {
    const echo = await EchoServer.start();
    cleanups.push(() => echo.stop());
    const [a, b] = [await blackHole(), await blackHole()];
    const engine = new BoostEngine({ keepaliveMs: 50, statsIntervalMs: 100, giveUpMs: 1500 });
    cleanups.push(() => engine.stop());
    const events: EngineEvent[] = [];
    engine.subscribe((e) => events.push(e));
    await engine.start({
      routes: [{ server: `127.0.0.1:${echo.port}` }],
      relays: [
        { host: '127.0.0.1', port: a, id: 'a' },
        { host: '127.0.0.1', port: b, id: 'b' },
      ],
      fecK: 4,
    });
    await waitFor(() => engine.getState().state === 'error', 10_000, 'the error state');
    const state = engine.getState();
    expect(state.state === 'error' && state.reason).toMatch(/^no relay answered for 2 s \(tried a, b\)/);
    const stats = events.flatMap((e) => (e.type === 'stats' ? [e.stats] : []));
    const late = stats.filter((s: BoostStats) => s.packetsDown === 0).slice(2);
    expect(late.length).toBeGreaterThan(0);
    for (const s of late) {
      expect(s.lossDown).toBe(1);
      expect(s.lossDownAfterFec).toBe(1);
    }
  });
});
