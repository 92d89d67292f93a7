/** `lightspeed dashboard`: the desktop UI in a browser, on loopback, behind a per-run token. */
import { spawn } from 'node:child_process';

import { numberArg, parseCliArgs } from '@lightspeed/shared/node';

import { isLoopbackHost } from '../../dashboard/access.js';
import { dashboardSettingsPath } from '../../ipc-backend/index.js';
import { runDashboard, UiMissing } from '../../dashboard/run-dashboard.js';
import { UsageError, type Command } from '../command.js';
import { untilSignal } from './engine-session.js';

const help = `Usage: lightspeed dashboard [--port N] [--host H] [--no-open] [--settings FILE] [--demo] [--allow-remote]

Serves the LightSpeed UI to your browser, connected to the real engine, and prints its URL. The URL
carries a random access token made for this run; requests without it are refused. Settings are kept
between runs in ${dashboardSettingsPath()}, the file the desktop app and the CLI use too (the
demo's live only for the run).

Options:
  --port N         port to listen on (default 7878; 0 = any free port)
  --host H         address to bind (default 127.0.0.1); loopback only unless --allow-remote
  --no-open        do not open a browser
  --settings FILE  keep settings in FILE instead (not with --demo)
  --demo           start a local relay, an echo game server and a lossy link (5% loss), and put
                   "Demo Arena" in the Library: press Boost and watch RTT, loss and FEC recoveries
  --allow-remote   allow a non-loopback --host (anyone with the URL can then drive the engine)
  -h, --help       this text

Example:
  lightspeed dashboard --demo`;

const usage = (m: string): Error => new UsageError(m);

/** Best effort: the platform's opener, detached; never fails the command. */
function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'win32'
      ? ['cmd', ['/c', 'start', '""', url]]
      : process.platform === 'darwin'
        ? ['open', [url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => console.error(`(could not open a browser: open ${url} yourself)`));
    child.unref();
  } catch {
    console.error(`(could not open a browser: open ${url} yourself)`);
  }
}

const command: Command = {
  summary: 'the UI in your browser, wired to the real engine (try --demo)',
  help,
  async run(argv) {
    const v = parseCliArgs(
      argv,
      {
        port: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        'no-open': { type: 'boolean', default: false },
        settings: { type: 'string' },
        demo: { type: 'boolean', default: false },
        'allow-remote': { type: 'boolean', default: false },
      },
      usage,
    );
    const port = numberArg(v.port, 'port', 7878, 0, 65535, usage, true);
    const host = v.host;
    if (!/^[A-Za-z0-9.:-]+$/.test(host)) throw new UsageError(`--host: expected an address, got '${host}'`);
    if (!isLoopbackHost(host) && !v['allow-remote']) {
      throw new UsageError(
        `--host ${host}: not a loopback address; the dashboard controls your engine, so pass --allow-remote to expose it`,
      );
    }

    if (v.demo && v.settings !== undefined)
      throw new UsageError(
        "--settings: the demo's relays live only for the run, so its settings are not kept",
      );
    if (v.settings === '') throw new UsageError('--settings: expected a file path');
    const settingsFile = v.demo ? undefined : (v.settings ?? dashboardSettingsPath());

    let running;
    try {
      running = await runDashboard({
        host,
        port,
        allowRemote: v['allow-remote'],
        demo: v.demo,
        ...(settingsFile !== undefined ? { settingsFile } : {}),
      });
    } catch (err) {
      if (err instanceof UiMissing) {
        console.error(`lightspeed dashboard: ${err.message}`);
        return 1;
      }
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        console.error(
          `lightspeed dashboard: port ${port} is in use; pick another with --port (0 = any free port)`,
        );
        return 1;
      }
      throw err;
    }
    console.log(`LightSpeed dashboard${v.demo ? ' (demo)' : ''}: ${running.dashboard.url}`);
    if (running.settings !== null)
      console.log(`Settings: ${running.settings.file}${running.settings.loaded ? '' : ' (defaults)'}`);
    console.log('Ctrl-C to stop.');
    if (!v['no-open']) openBrowser(running.dashboard.url);
    await untilSignal();
    await running.close();
    return 0;
  },
};

export default command;
