import type { CaptureStatus } from '@lightspeed/shared';
import { describe, expect, it } from 'vitest';

import { capturedServer, withServerRegion } from './capture-server.js';
import { unprobed } from './relay-choice.js';

const status = (...addresses: string[]): CaptureStatus => ({
  phase: 'capturing',
  processes: [],
  ports: [],
  servers: addresses.map((address) => ({ address, packets: 1, sockets: 1 })),
});

describe('capturedServer', () => {
  it('is the first server found, as an IPv4 endpoint', () => {
    expect(capturedServer(status('10.1.2.3:27015', '10.9.9.9:1'))).toEqual({
      address: '10.1.2.3',
      ip: 0x0a010203,
      port: 27015,
    });
  });

  it('is null with no server yet or a malformed or non-IPv4 address', () => {
    expect(capturedServer(status())).toBeNull();
    expect(capturedServer(status('nonsense'))).toBeNull();
    expect(capturedServer(status('game.example:27015'))).toBeNull();
  });
});

describe('withServerRegion', () => {
  const server = { address: '10.1.2.3', ip: 0x0a010203, port: 27015 };
  const relay = (id: string, region: string | undefined, serverLegMs: number | undefined) => ({
    ...unprobed({ id, host: '127.0.0.1', port: 4000, ...(region === undefined ? {} : { region }) }),
    ...(serverLegMs === undefined ? {} : { serverLegMs }),
  });

  it("names the region of the relay with the shortest leg to the server, on that server's entry only", () => {
    const ranked = [relay('far', 'us', 90), relay('near', 'eu', 12.4), relay('noregion', undefined, 1)];
    const out = withServerRegion(status('10.1.2.3:27015', '10.9.9.9:1'), server, ranked);
    expect(out.servers[0]!.region).toBe('near eu (12 ms from near)');
    expect(out.servers[1]!.region).toBeUndefined();
    expect(ranked.map((r) => r.relay.id)).toEqual(['far', 'near', 'noregion']); // input order untouched
  });

  it('leaves the status alone with no server or no reported leg', () => {
    const s = status('10.1.2.3:27015');
    expect(withServerRegion(s, null, [relay('near', 'eu', 12)])).toBe(s);
    expect(withServerRegion(s, server, [relay('near', 'eu', undefined)])).toBe(s);
  });
});
