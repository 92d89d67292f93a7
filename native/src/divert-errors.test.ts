// IP_TRANSPARENT needs CAP_NET_ADMIN: skipped only when not root.
import { spawnSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { openDivertSocket } from './divert.js';
import { ipToU32 } from './ipv4.js';
import { builtAddonPath } from './test-support/addon.js';
import { isRoot } from './test-support/netns.js';

describe.skipIf(!isRoot)('divert socket errors (needs root)', () => {
  it('reports a taken port with its errno name', () => {
    const first = openDivertSocket({ address: '127.0.0.1', port: 0, onBatch: () => {} });
    try {
      expect(first.port).toBeGreaterThan(0);
      let error: unknown;
      try {
        openDivertSocket({ address: '127.0.0.1', port: first.port, onBatch: () => {} }).close();
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'EADDRINUSE', syscall: 'bind', errno: -98 });
      expect((error as Error).message).toMatch(/^bind EADDRINUSE \(/);
    } finally {
      first.close();
    }
  });

  it('refuses malformed arguments with a TypeError', () => {
    expect(() => openDivertSocket({ address: 'localhost', port: 0, onBatch: () => {} })).toThrow(TypeError);
    expect(() => openDivertSocket({ address: '127.0.0.1', port: 70_000, onBatch: () => {} })).toThrow(
      TypeError,
    );
    const socket = openDivertSocket({ address: '127.0.0.1', port: 0, onBatch: () => {} });
    try {
      const send = socket.sendFrom.bind(socket) as (...args: unknown[]) => boolean;
      expect(() => send(-1, 1, 1, 1, new Uint8Array(1))).toThrow(TypeError);
      expect(() => send(1, 1.5, 1, 1, new Uint8Array(1))).toThrow(TypeError);
      expect(() => send(1, 1, 1, 1, 'payload')).toThrow(TypeError);
      expect(() => (socket.release.bind(socket) as (...args: unknown[]) => void)('x')).toThrow(TypeError);
    } finally {
      socket.close();
    }
  });

  it('counts a failed send and a send after close, and closes twice', () => {
    const socket = openDivertSocket({ address: '127.0.0.1', port: 0, onBatch: () => {} });
    // Port 0 as the source and a zero destination address: the kernel refuses the sendto.
    expect(socket.sendFrom(ipToU32('127.0.0.1'), 0, 0, 0, new Uint8Array(4))).toBe(false);
    expect(socket.stats()).toMatchObject({ sent: 0, sendErrors: 1 });
    expect(socket.stats().lastSendError).toMatch(/ E[A-Z]+ \(/);
    socket.close();
    socket.close();
    expect(socket.sendFrom(ipToU32('127.0.0.1'), 9, ipToU32('127.0.0.1'), 9, new Uint8Array(1))).toBe(false);
    expect(socket.stats()).toMatchObject({ sendErrors: 2, replySockets: 0 });
  });
});

describe.skipIf(!isRoot)('divert socket without CAP_NET_ADMIN (needs root to drop it)', () => {
  it('fails with EPERM on IP_TRANSPARENT, so the caller can say what is missing', () => {
    const script = `
      const native = require(${JSON.stringify(builtAddonPath())});
      try { new native.DivertSocket('127.0.0.1', 0, () => {}); console.log('opened'); }
      catch (e) { console.log(JSON.stringify({ code: e.code, syscall: e.syscall, message: e.message })); }`;
    const run = spawnSync(
      'setpriv',
      // Still uid 0 (so it can read the addon wherever the checkout is, even a 0700 temp dir), but with
      // every capability gone from every set: exactly what an ordinary user lacks.
      ['--inh-caps=-all', '--bounding-set=-all', process.execPath, '-e', script],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { code: string; syscall: string; message: string };
    expect(result).toEqual({
      code: 'EPERM',
      syscall: 'setsockopt(IP_TRANSPARENT)',
      message: 'setsockopt(IP_TRANSPARENT) EPERM (Operation not permitted)',
    });
  });
});
