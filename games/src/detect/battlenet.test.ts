import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';

import { detectInstalledGames } from '../detect-games.js';
import { readProductDb } from './battlenet.js';
import { readMessage } from './protobuf.js';

const fixtures = fileURLToPath(new URL('../../test-fixtures/', import.meta.url));

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>>= 7;
  } while (n > 0);
  return out;
}
function field(no: number, payload: string | Uint8Array): Uint8Array {
  const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  return Uint8Array.from([...varint((no << 3) | 2), ...varint(bytes.length), ...bytes]);
}
function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}
function install(uid: string, code: string, installPath: string): Uint8Array {
  return field(
    1,
    concat(field(1, uid), field(2, code), field(3, concat(field(1, installPath), field(2, 'eu')))),
  );
}

describe('Battle.net product.db', () => {
  const temps: string[] = [];
  afterAll(async () => {
    for (const t of temps) await rm(t, { recursive: true, force: true });
  });

  it('reads product codes and install paths from the fixture database', async () => {
    const bytes = await readFile(path.join(fixtures, 'windows/C/ProgramData/Battle.net/Agent/product.db'));
    expect(readProductDb(bytes)).toEqual([
      { productCode: 'agent', installPath: 'C:/ProgramData/Battle.net/Agent' },
      { productCode: 'bna', installPath: 'C:/Program Files (x86)/Battle.net' },
      { productCode: 'Pro', installPath: 'C:/Program Files (x86)/Overwatch' },
      { productCode: 'wow', installPath: 'C:/Program Files (x86)/World of Warcraft' },
    ]);
  });

  it('finds Overwatch 2 installed outside the default directory', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'ls-bnet-'));
    temps.push(root);
    await cp(path.join(fixtures, 'windows'), root, { recursive: true });
    await rm(path.join(root, 'C/Program Files (x86)/Overwatch'), { recursive: true });
    await mkdir(path.join(root, 'E/Blizzard/Overwatch/_retail_'), { recursive: true });
    const db = concat(
      install('agent', 'agent', 'C:/ProgramData/Battle.net/Agent'),
      install('prometheus', 'Pro', 'E:/Blizzard/Overwatch'),
    );
    await writeFile(path.join(root, 'C/ProgramData/Battle.net/Agent/product.db'), db);
    const r = await detectInstalledGames({
      platform: 'win32',
      root,
      env: { USERPROFILE: 'C:\\Users\\player' },
    });
    expect(r.installed.filter((g) => g.gameId === 'overwatch2')).toEqual([
      {
        gameId: 'overwatch2',
        name: 'Overwatch 2',
        installPath: path.join(root, 'E/Blizzard/Overwatch'),
        source: 'battlenet',
      },
    ]);
  });

  it('reads a record with every field the agent writes (schema used by bnetlauncher and GameFinder)', () => {
    const varintField = (no: number, n: bigint): Uint8Array => {
      const out = [...varint((no << 3) | 0)];
      let v = BigInt.asUintN(64, n); // int32 -1 is written as a 10-byte varint
      do {
        out.push(Number(v & 0x7fn) | (v > 0x7fn ? 0x80 : 0));
        v >>= 7n;
      } while (v > 0n);
      return Uint8Array.from(out);
    };
    const double = (no: number, x: number): Uint8Array => {
      const b = new Uint8Array(9);
      b[0] = (no << 3) | 1;
      new DataView(b.buffer).setFloat64(1, x, true);
      return b;
    };
    const settings = concat(
      field(1, 'D:/Games/Overwatch'), // installPath
      field(2, 'eu'), // playRegion
      varintField(3, 1n), // desktopShortcut
      varintField(5, 3n), // languageSettings
      field(6, 'enUS'),
      field(7, 'enUS'),
      field(8, concat(field(1, 'enUS'), varintField(2, 3n))), // languages
      field(10, 'retail'), // versionBranch
    );
    const cached = concat(
      field(1, concat(varintField(1, 1n), varintField(2, 1n), field(7, '2.10.0.0.12345'))), // baseProductState
      field(4, concat(field(1, 'none'), double(2, 1), varintField(4, 123456789n))), // updateProgress
    );
    const db = concat(
      field(
        1,
        concat(
          field(1, 'prometheus'),
          field(2, 'Pro'),
          field(3, settings),
          field(4, cached),
          field(5, varintField(1, 0n)),
        ),
      ),
      field(3, concat(field(1, 'Overwatch.exe'), varintField(2, 4242n))), // activeProcesses
      field(4, concat(field(1, 'Pro'), field(2, 'abc123'), field(3, '1700000000'))), // productConfigs
      field(5, concat(varintField(1, -1n), varintField(2, -1n))), // downloadSettings
    );
    expect(readProductDb(db)).toEqual([{ productCode: 'Pro', installPath: 'D:/Games/Overwatch' }]);
  });

  it('never throws on arbitrary or truncated bytes', async () => {
    const good = await readFile(path.join(fixtures, 'windows/C/ProgramData/Battle.net/Agent/product.db'));
    for (let n = 0; n < good.length; n++) expect(() => readProductDb(good.subarray(0, n))).not.toThrow();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const fields = readMessage(bytes);
        if (fields) for (const f of fields) expect(f.no).toBeGreaterThan(0);
        const installs = readProductDb(bytes);
        if (installs) for (const i of installs) expect(typeof i.installPath).toBe('string');
      }),
      { numRuns: 2000 },
    );
  });
});
