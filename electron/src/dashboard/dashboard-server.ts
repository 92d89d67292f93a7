/**
 * `lightspeed dashboard`'s server: the built UI and a WebSocket bridge to the backend, both behind a
 * per-run token that starts every path (`http://127.0.0.1:PORT/<token>/`). Requests without it, with a
 * foreign Host, or (WebSocket) with a foreign Origin are refused.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

import { WS_MAX_FRAME_BYTES, type MainDispatcher } from '@lightspeed/shared';
import { WebSocketServer } from 'ws';

import {
  allowedHosts,
  isLoopbackHost,
  newToken,
  originMatches,
  splitTokenPath,
  tokenMatches,
} from './access.js';
import { securityHeaders } from './content-policy.js';
import { resolveUiPath, sendFile } from './static-files.js';
import { WsBridge } from './ws-bridge.js';

export interface DashboardOptions {
  /** Bind address; must be loopback unless `allowRemote`. */
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Directory of the built UI (index.html and assets/). */
  uiDir: string;
  dispatcher: MainDispatcher;
  allowRemote?: boolean;
  /** Default: a fresh random token. */
  token?: string;
}

export interface Dashboard {
  /** The URL to open, token included. */
  url: string;
  port: number;
  token: string;
  /** Pushes a notification to every connected UI. */
  broadcast(channel: string, payload: unknown): void;
  /** Malformed WebSocket frames dropped so far. */
  malformedFrames(): number;
  close(): Promise<void>;
}

/** Thrown when the options would expose the dashboard beyond this machine without consent. */
export class RemoteBindRefused extends Error {}

/** Starts the server; resolves once it listens. */
export async function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  if (!isLoopbackHost(o.host) && !o.allowRemote) {
    throw new RemoteBindRefused(
      `refusing to bind ${o.host}: not a loopback address (pass --allow-remote to expose the dashboard)`,
    );
  }
  const token = o.token ?? newToken();
  const bridge = new WsBridge(o.dispatcher);
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_FRAME_BYTES });
  let hosts = new Set<string>();

  /** The request's Host when it names this server, else null. */
  const checkedHost = (req: IncomingMessage): string | null => {
    const host = req.headers.host;
    if (host === undefined || !/^[A-Za-z0-9.:[\]-]{1,300}$/.test(host)) return null;
    return o.allowRemote || hosts.has(host.toLowerCase()) ? host : null;
  };
  /** The path below the token when the token is right, else null. */
  const authorised = (req: IncomingMessage): string | null => {
    const pathname = (req.url ?? '').split('?')[0] ?? '';
    const parts = splitTokenPath(pathname);
    return parts && tokenMatches(token, parts.token) ? parts.rest : null;
  };

  const refuse = (res: ServerResponse, status: number, text: string): void => {
    res.writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(`${text}\n`);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const host = checkedHost(req);
      if (host === null) return refuse(res, 421, 'Misdirected request: unexpected Host header');
      const rest = authorised(req);
      if (rest === null)
        return refuse(
          res,
          403,
          'Forbidden: open the URL that `lightspeed dashboard` printed (it carries the access token)',
        );
      if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed');
      if (rest === '') {
        // `/<token>` → `/<token>/` so the page's relative asset URLs keep the token.
        res.writeHead(308, { Location: `${(req.url ?? '').split('?')[0]}/`, 'Cache-Control': 'no-store' });
        return res.end();
      }
      const file = resolveUiPath(o.uiDir, rest);
      if (file === null) return refuse(res, 404, 'Not found');
      const sent = await sendFile(res, file, securityHeaders(host), req.method === 'HEAD');
      if (!sent) refuse(res, 404, 'Not found');
    })().catch(() => res.destroy());
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const host = checkedHost(req);
    const rest = authorised(req);
    if (host === null || rest !== '/ws' || !originMatches(req.headers.origin, host)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => bridge.attach(ws));
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : o.port;
  hosts = allowedHosts(o.host, port);
  const urlHost = o.host.includes(':') && !o.host.startsWith('[') ? `[${o.host}]` : o.host;

  return {
    url: `http://${urlHost}:${port}/${token}/`,
    port,
    token,
    broadcast: (channel, payload) => bridge.broadcast(channel, payload),
    malformedFrames: () => bridge.malformedFrames,
    close: async () => {
      bridge.closeAll();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
