/**
 * Child process for the CPU benchmark: runs either the engine or the naive forwarder alone, so that
 * process.cpuUsage() measures that one component. Talks to the parent over the IPC channel:
 *   parent → { cmd: 'start', mode, relayPort, serverPort, fecK, fecAdaptive? }   child → { ready: localPort }
 *   parent → { cmd: 'measure', ms }                                 child → { cpuMs, wallMs }
 */
import { BoostEngine } from '../engine/index.js';
import { NaiveForwarder } from './naive-forwarder.js';

type Msg =
  | {
      cmd: 'start';
      mode: 'engine' | 'forwarder';
      relayPort: number;
      serverPort: number;
      fecK: number;
      fecAdaptive?: 'balanced' | 'strong';
    }
  | { cmd: 'measure'; ms: number }
  | { cmd: 'exit' };

let engine: BoostEngine | null = null;
let forwarder: NaiveForwarder | null = null;

process.on('message', (m: Msg) => {
  void handle(m);
});

async function handle(m: Msg): Promise<void> {
  if (m.cmd === 'start') {
    if (m.mode === 'engine') {
      engine = new BoostEngine();
      await engine.start({
        routes: [{ server: `127.0.0.1:${m.serverPort}` }],
        relays: [{ host: '127.0.0.1', port: m.relayPort }],
        fecK: m.fecK,
        ...(m.fecAdaptive ? { fecAdaptive: m.fecAdaptive } : {}),
      });
      process.send!({ ready: engine.getRoutes()[0]!.localPort });
    } else {
      forwarder = await NaiveForwarder.start('127.0.0.1', m.serverPort);
      process.send!({ ready: forwarder.port });
    }
  } else if (m.cmd === 'measure') {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, m.ms));
    const c = process.cpuUsage(c0);
    process.send!({ cpuMs: (c.user + c.system) / 1000, wallMs: performance.now() - t0 });
  } else {
    await engine?.stop();
    await forwarder?.stop();
    process.disconnect();
  }
}
