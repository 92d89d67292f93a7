/**
 * A relay registry served over real HTTP on loopback, signed with a key made for the test: what the app's
 * default registry looks like to the backend (tests point the app at it through `defaultRegistry` or
 * LIGHTSPEED_REGISTRY_URL / _KEY). Each path answers what the test last set: a signed body, or a status.
 */
import { createServer, type Server } from 'node:http';

import { generateRegistryKeys, signRegistry } from '../engine/discovery/index.js';

export interface WireRelay {
  host: string;
  data_port?: number;
  control_port?: number;
  node_id?: string;
  region?: string;
  cert_sha256?: string;
}

export interface TestRegistry {
  /** The key the registry is signed with (pin it). */
  publicKey: string;
  url(path?: string): string;
  /** Serves a registry of `relays` at `path`, signed with the test key (or `signedBy`), valid for `validMs`. */
  serve(path: string, relays: WireRelay[], o?: { validMs?: number; signedBy?: string }): void;
  /** Answers `path` with an HTTP status and no registry. */
  fail(path: string, status: number): void;
  /** Never answers `path` (the connection stays open until the client gives up). */
  hang(path: string): void;
  /** Requests seen per path. */
  hits(path: string): number;
  close(): Promise<void>;
}

export async function startTestRegistry(): Promise<TestRegistry> {
  const keys = generateRegistryKeys();
  const answers = new Map<string, { status: number; body: string } | 'hang'>();
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const answer = answers.get(path) ?? { status: 404, body: '' };
    if (answer === 'hang') return;
    res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    publicKey: keys.publicKeyBase64,
    url: (path = '/v1/registry.json') => `http://127.0.0.1:${port}${path}`,
    serve(path, relays, o = {}) {
      const now = Date.now();
      const body = signRegistry(
        { issuedAt: new Date(now - 1000), expiresAt: new Date(now + (o.validMs ?? 3_600_000)), relays },
        o.signedBy ?? keys.privateKeyPem,
      );
      answers.set(path, { status: 200, body });
    },
    fail(path, status) {
      answers.set(path, { status, body: '' });
    },
    hang(path) {
      answers.set(path, 'hang');
    },
    hits: (path) => hits.get(path) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
