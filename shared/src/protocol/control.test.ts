import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  CONTROL_MAX_FRAME,
  ControlType,
  DisconnectReason,
  GameId,
  decodeControlBody,
  encodeControlBody,
  encodeControlFrame,
  type ControlMessage,
} from './control.js';
import { ControlFrameReader } from './control-frame-reader.js';
import { hex, toHex } from './test-bytes.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u8 = fc.integer({ min: 0, max: 0xff });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const shortText = fc.string({ unit: 'grapheme', maxLength: 60 });

const arbitraryControl: fc.Arbitrary<ControlMessage> = fc.oneof(
  fc.record({ type: fc.constant('ping' as const), timestampUs: u64 }),
  fc.record({ type: fc.constant('pong' as const), clientTimestampUs: u64, serverTimestampUs: u64 }),
  fc.record({ type: fc.constant('register' as const), protocolVersion: u8, gameId: u8 }),
  fc.record({
    type: fc.constant('register-ack' as const),
    sessionId: u32,
    token: u8,
    nodeId: shortText,
    region: shortText,
  }),
  fc.record({ type: fc.constant('disconnect' as const), reason: u8 }),
  fc.record({ type: fc.constant('server-info' as const), load: u8, activeSessions: u32, capacity: u32 }),
);

describe('wire bytes as deployed', () => {
  it.each<[ControlMessage, string]>([
    [{ type: 'ping', timestampUs: 0x0102030405060708n }, '00 09 01 01 02 03 04 05 06 07 08'],
    [
      { type: 'pong', clientTimestampUs: 1n, serverTimestampUs: 2n },
      '00 11 02 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 02',
    ],
    [{ type: 'register', protocolVersion: 1, gameId: GameId.FORTNITE }, '00 03 03 01 01'],
    [
      { type: 'register-ack', sessionId: 42, token: 0xab, nodeId: 'la-1', region: 'us' },
      '00 0e 04 00 00 00 2a ab 04 6c 61 2d 31 02 75 73',
    ],
    [{ type: 'disconnect', reason: DisconnectReason.SERVER_SHUTDOWN }, '00 02 05 02'],
    [
      { type: 'server-info', load: 75, activeSessions: 42, capacity: 100 },
      '00 0a 06 4b 00 00 00 2a 00 00 00 64',
    ],
  ])('%o ↔ %s', (msg, bytes) => {
    expect(toHex(encodeControlFrame(msg))).toBe(bytes);
    const frame = hex(bytes);
    expect(decodeControlBody(frame.subarray(2))).toEqual({ ok: true, message: msg });
  });

  it('uses the deployed ids and reasons', () => {
    expect(GameId).toMatchObject({ FORTNITE: 1, CS2: 2, DOTA2: 3, RUST: 4, VALORANT: 5, PUBG: 9 });
    expect(DisconnectReason).toEqual({
      NORMAL: 0,
      TIMEOUT: 1,
      SERVER_SHUTDOWN: 2,
      RATE_LIMITED: 3,
      AUTH_FAILED: 4,
    });
  });

  it('ignores trailing extension bytes newer peers append', () => {
    // Register with an appended data port and destination, as newer upstream clients send.
    const result = decodeControlBody(hex('03 01 02 a1 12 08 08 08 08'));
    expect(result).toEqual({ ok: true, message: { type: 'register', protocolVersion: 1, gameId: 2 } });
  });
});

describe('decode errors are typed values', () => {
  it.each<[string, string]>([
    ['', 'empty'],
    ['07 00', 'unknown-type'],
    ['ff', 'unknown-type'],
    ['01 00 00 00', 'truncated'],
    ['03 01', 'truncated'],
    ['04 00 00 00 01 05 09 61', 'truncated'],
    ['04 00 00 00 01 05 01 ff 00', 'invalid-utf8'],
    ['06 01 00 00 00 00 00 00 00', 'truncated'],
  ])('%s → %s', (bytes, code) => {
    const result = decodeControlBody(hex(bytes));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe(code);
  });

  it('refuses to encode a string over 255 bytes', () => {
    expect(() =>
      encodeControlBody({
        type: 'register-ack',
        sessionId: 1,
        token: 1,
        nodeId: 'x'.repeat(256),
        region: '',
      }),
    ).toThrow(RangeError);
  });
});

describe('frame reader', () => {
  const messages: ControlMessage[] = [
    { type: 'ping', timestampUs: 7n },
    { type: 'register-ack', sessionId: 9, token: 3, nodeId: 'node', region: 'eu' },
    { type: 'disconnect', reason: 0 },
  ];
  const stream = new Uint8Array(messages.flatMap((m) => Array.from(encodeControlFrame(m))));

  it('reassembles frames split at every byte', () => {
    const reader = new ControlFrameReader();
    const got: ControlMessage[] = [];
    for (const byte of stream) {
      const r = reader.push(Uint8Array.of(byte));
      expect(r.ok).toBe(true);
      got.push(...r.messages);
    }
    expect(got).toEqual(messages);
    expect(reader.buffered).toBe(0);
  });

  it('returns coalesced frames from one chunk', () => {
    expect(new ControlFrameReader().push(stream)).toEqual({ ok: true, messages });
  });

  it('rejects oversize and zero-length frames, then refuses more input', () => {
    const reader = new ControlFrameReader();
    const len = CONTROL_MAX_FRAME + 1;
    const r = reader.push(Uint8Array.of(len >> 8, len & 0xff, ControlType.PING));
    expect(!r.ok && r.error.code).toBe('oversize');
    expect(reader.push(stream).ok).toBe(false);
    expect(new ControlFrameReader().push(hex('00 00')).ok).toBe(false);
  });

  it('keeps the messages before an unknown frame and reports the error', () => {
    const bad = new Uint8Array([...encodeControlFrame(messages[0]!), ...hex('00 01 7f')]);
    const r = new ControlFrameReader().push(bad);
    expect(r.ok).toBe(false);
    expect(r.messages).toEqual([messages[0]]);
    expect(!r.ok && r.error.code).toBe('unknown-type');
  });

  it('property: any message sequence cut into any chunks comes back intact', () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryControl, { maxLength: 8 }),
        fc.array(fc.nat(40), { maxLength: 20 }),
        (msgs, cuts) => {
          const bytes = new Uint8Array(msgs.flatMap((m) => Array.from(encodeControlFrame(m))));
          const reader = new ControlFrameReader();
          const got: ControlMessage[] = [];
          let at = 0;
          for (const cut of cuts) {
            const r = reader.push(bytes.subarray(at, Math.min(bytes.length, at + cut)));
            got.push(...r.messages);
            at = Math.min(bytes.length, at + cut);
          }
          got.push(...reader.push(bytes.subarray(at)).messages);
          expect(got).toEqual(msgs);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('property: decode(encode(m)) = m', () => {
    fc.assert(
      fc.property(arbitraryControl, (m) => {
        expect(decodeControlBody(encodeControlBody(m))).toEqual({ ok: true, message: m });
      }),
      { numRuns: 5_000 },
    );
  });
});
