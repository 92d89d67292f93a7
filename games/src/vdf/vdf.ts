/**
 * Valve KeyValues ("VDF" / ".acf") text parser. Steam writes these files itself, but they get
 * truncated by crashes and hand-edited by users, so the parser never throws: it returns an error
 * value naming the line and column.
 *
 *   "AppState"            key, then a quoted or bare string value or a { block }
 *   {                     // comments run to the end of the line
 *       "appid"   "730"
 *       "name"    "Counter-Strike 2"   [$WIN32]   (conditionals are ignored)
 *   }
 *
 * Objects have no prototype, so keys such as "__proto__" are ordinary keys. Duplicate keys: the
 * last string wins; duplicate blocks are merged, as Steam does.
 */

export type VdfValue = string | VdfObject;
export interface VdfObject {
  [key: string]: VdfValue;
}

export interface VdfError {
  message: string;
  line: number;
  column: number;
}

export type VdfResult = { ok: true; value: VdfObject } | { ok: false; error: VdfError };

/** Deepest nesting accepted; Steam's own files are about 4 levels deep. */
export const VDF_MAX_DEPTH = 64;

type Token =
  | { kind: 'string'; text: string; line: number; column: number }
  | { kind: 'open'; line: number; column: number }
  | { kind: 'close'; line: number; column: number }
  | { kind: 'conditional'; line: number; column: number }
  | { kind: 'error'; message: string; line: number; column: number };

function newObject(): VdfObject {
  return Object.create(null) as VdfObject;
}

class Lexer {
  private pos = 0;
  private line = 1;
  private lineStart = 0;

  constructor(private readonly src: string) {
    if (src.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  /** Next token, or null at end of input. */
  next(): Token | null {
    const src = this.src;
    for (;;) {
      if (this.pos >= src.length) return null;
      const c = src[this.pos]!;
      if (c === '\n') {
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
      } else if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || c === '\0') {
        this.pos++;
      } else if (c === '/' && src[this.pos + 1] === '/') {
        while (this.pos < src.length && src[this.pos] !== '\n') this.pos++;
      } else {
        break;
      }
    }
    const line = this.line;
    const column = this.pos - this.lineStart + 1;
    const c = src[this.pos]!;
    if (c === '{') {
      this.pos++;
      return { kind: 'open', line, column };
    }
    if (c === '}') {
      this.pos++;
      return { kind: 'close', line, column };
    }
    if (c === '[') {
      const end = src.indexOf(']', this.pos);
      const nl = src.indexOf('\n', this.pos);
      if (end === -1 || (nl !== -1 && nl < end)) {
        return { kind: 'error', message: 'unterminated conditional [...]', line, column };
      }
      this.pos = end + 1;
      return { kind: 'conditional', line, column };
    }
    if (c === '"') return this.quoted(line, column);
    const start = this.pos;
    while (this.pos < src.length && !/[\s{}"]/.test(src[this.pos]!)) this.pos++;
    return { kind: 'string', text: src.slice(start, this.pos), line, column };
  }

  private quoted(line: number, column: number): Token {
    const src = this.src;
    let out = '';
    let i = this.pos + 1;
    let chunk = i;
    while (i < src.length) {
      const c = src[i]!;
      if (c === '"') {
        out += src.slice(chunk, i);
        this.pos = i + 1;
        return { kind: 'string', text: out, line, column };
      }
      if (c === '\\' && i + 1 < src.length) {
        out += src.slice(chunk, i);
        const e = src[i + 1]!;
        out += e === 'n' ? '\n' : e === 't' ? '\t' : e === '\\' ? '\\' : e === '"' ? '"' : '\\' + e;
        i += 2;
        chunk = i;
        continue;
      }
      if (c === '\n') {
        this.line++;
        this.lineStart = i + 1;
      }
      i++;
    }
    this.pos = src.length;
    return { kind: 'error', message: 'unterminated quoted string', line, column };
  }
}

/** Parses VDF text into nested objects. Never throws. */
export function parseVdf(text: string): VdfResult {
  const lexer = new Lexer(text);
  const root = newObject();
  const stack: VdfObject[] = [root];
  const fail = (message: string, at: { line: number; column: number }): VdfResult => ({
    ok: false,
    error: { message, line: at.line, column: at.column },
  });

  for (;;) {
    const tok = significant(lexer);
    if (tok === null) {
      if (stack.length > 1)
        return fail(`unexpected end of input: ${stack.length - 1} unclosed '{'`, endOf(text));
      return { ok: true, value: root };
    }
    if (tok.kind === 'error') return fail(tok.message, tok);
    const current = stack[stack.length - 1]!;
    if (tok.kind === 'close') {
      if (stack.length === 1) return fail("unexpected '}'", tok);
      stack.pop();
      continue;
    }
    if (tok.kind === 'open') return fail("expected a key, found '{'", tok);
    const key = tok.text;
    const val = significant(lexer);
    if (val === null) return fail(`key '${short(key)}' has no value`, endOf(text));
    if (val.kind === 'error') return fail(val.message, val);
    if (val.kind === 'close') return fail(`key '${short(key)}' has no value`, val);
    if (val.kind === 'string') {
      current[key] = val.text;
      continue;
    }
    if (stack.length > VDF_MAX_DEPTH) return fail(`nesting deeper than ${VDF_MAX_DEPTH}`, val);
    const existing = current[key];
    const child = typeof existing === 'object' ? existing : newObject();
    current[key] = child;
    stack.push(child);
  }
}

type Significant = Exclude<Token, { kind: 'conditional' }>;

/** Next token that is not a platform conditional such as [$WIN32] (those are ignored). */
function significant(lexer: Lexer): Significant | null {
  for (;;) {
    const tok = lexer.next();
    if (tok === null || tok.kind !== 'conditional') return tok;
  }
}

function endOf(text: string): { line: number; column: number } {
  const lines = text.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

function short(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** Case-insensitive key lookup (Steam spells keys inconsistently, e.g. LibraryFolders/libraryfolders). */
export function vdfGet(obj: VdfObject, key: string): VdfValue | undefined {
  if (Object.hasOwn(obj, key)) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

/** Case-insensitive lookup of a string value. */
export function vdfString(obj: VdfObject, key: string): string | undefined {
  const v = vdfGet(obj, key);
  return typeof v === 'string' ? v : undefined;
}

/** Case-insensitive lookup of a block. */
export function vdfObject(obj: VdfObject, key: string): VdfObject | undefined {
  const v = vdfGet(obj, key);
  return typeof v === 'object' ? v : undefined;
}
