import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  parseVdf,
  vdfGet,
  vdfObject,
  vdfString,
  VDF_MAX_DEPTH,
  type VdfObject,
  type VdfValue,
} from './vdf.js';

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Writes VDF the way Steam does (tabs, quoted everything). */
function serialize(obj: VdfObject, indent = ''): string {
  let out = '';
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'string') out += `${indent}${quote(k)}\t\t${quote(v)}\n`;
    else out += `${indent}${quote(k)}\n${indent}{\n${serialize(v, `${indent}\t`)}${indent}}\n`;
  }
  return out;
}

function plain(v: VdfValue): unknown {
  return typeof v === 'string' ? v : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
}

describe('parseVdf', () => {
  it('parses a libraryfolders.vdf as Steam writes it', () => {
    const text = [
      '"libraryfolders"',
      '{',
      '\t"0"',
      '\t{',
      '\t\t"path"\t\t"C:\\\\Program Files (x86)\\\\Steam"',
      '\t\t"apps"',
      '\t\t{',
      '\t\t\t"730"\t\t"35000"',
      '\t\t}',
      '\t}',
      '}',
      '',
    ].join('\r\n');
    const r = parseVdf(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(plain(r.value)).toEqual({
      libraryfolders: { '0': { path: 'C:\\Program Files (x86)\\Steam', apps: { '730': '35000' } } },
    });
  });

  it('handles comments, bare tokens, conditionals, a BOM, escapes and duplicate keys', () => {
    const text =
      '\uFEFF// header comment\nRoot { key value [$WIN32] "q" "a\\"b\\n" // trailing\n' +
      'blk { a 1 } blk { b 2 } dup 1 dup 2 "__proto__" "x" }';
    const r = parseVdf(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const root = vdfObject(r.value, 'root')!;
    expect(plain(root)).toEqual({
      key: 'value',
      q: 'a"b\n',
      blk: { a: '1', b: '2' },
      dup: '2',
      ['__proto__']: 'x',
    });
    expect(vdfString(root, 'KEY')).toBe('value');
    expect(vdfGet(root, 'missing')).toBeUndefined();
    expect(vdfObject(root, 'key')).toBeUndefined();
    expect(Object.getPrototypeOf(root)).toBeNull();
  });

  it.each([
    ['"AppState"\n{\n\t"appid"\t\t"730"\n', /unclosed '\{'/, 4],
    ['"AppState"\n{\n\t"installdir"\t\t"Counter-Str', /unterminated quoted string/, 3],
    ['"a" "b" }', /unexpected '\}'/, 1],
    ['"a" { "b" }', /key 'b' has no value/, 1],
    ['"a"', /key 'a' has no value/, 1],
    ['{ "a" "b" }', /expected a key/, 1],
    ['"a" [$WIN32', /unterminated conditional/, 1],
  ])('reports %j as an error value', (text, message, line) => {
    const r = parseVdf(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).toMatch(message);
    expect(r.error.line).toBe(line);
  });

  it('refuses absurd nesting without recursion', () => {
    const deep = '"k" { '.repeat(VDF_MAX_DEPTH + 5) + '}'.repeat(VDF_MAX_DEPTH + 5);
    const r = parseVdf(deep);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/nesting deeper/);
  });

  it('never throws on arbitrary input and always returns a result', () => {
    const vdfish = fc.array(
      fc.constantFrom('"', '{', '}', '\\', '\n', '//', '[$X]', 'key', ' ', '\t', '"v"', '\0'),
      {
        maxLength: 60,
      },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          vdfish.map((parts) => parts.join('')),
        ),
        (text) => {
          const r = parseVdf(text);
          if (r.ok) expect(typeof r.value).toBe('object');
          else {
            expect(r.error.line).toBeGreaterThanOrEqual(1);
            expect(r.error.column).toBeGreaterThanOrEqual(1);
            expect(r.error.message.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('round-trips any document Steam could write', () => {
    const key = fc.string({ minLength: 0, maxLength: 12 });
    const doc = fc.letrec<{ obj: Record<string, unknown> }>((tie) => ({
      obj: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, fc.string({ maxLength: 20 }), tie('obj')), {
        maxKeys: 5,
      }),
    })).obj;
    fc.assert(
      fc.property(doc, (obj) => {
        // Duplicate-free dictionaries round-trip exactly (null-prototype objects compare as plain).
        const r = parseVdf(serialize(obj as VdfObject));
        expect(r.ok).toBe(true);
        if (r.ok) expect(plain(r.value)).toEqual(plain(obj as VdfObject));
      }),
      { numRuns: 500 },
    );
  });

  it('reports an error for every strict prefix of a document that ends inside a block', () => {
    const text =
      '"AppState"\n{\n\t"appid"\t\t"730"\n\t"installdir"\t\t"Counter-Strike Global Offensive"\n}\n';
    const closing = text.lastIndexOf('}');
    for (let n = text.indexOf('{') + 1; n <= closing; n++)
      expect(parseVdf(text.slice(0, n)).ok, `prefix ${n}`).toBe(false);
    expect(parseVdf(text).ok).toBe(true);
  });
});
