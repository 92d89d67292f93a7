/** Small async filesystem helpers that turn errors into values (detection never throws). */
import { readFile, readdir, realpath, stat } from 'node:fs/promises';

/** Launcher files are kilobytes; anything past this is not what we are looking for. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

export type ReadResult = { ok: true; text: string } | { ok: false; missing: boolean; reason: string };

/** Reads a UTF-8 text file; a missing file is reported as such, other failures with a reason. */
export async function readTextFile(path: string): Promise<ReadResult> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return { ok: false, missing: false, reason: 'not a regular file' };
    if (info.size > MAX_FILE_BYTES)
      return { ok: false, missing: false, reason: `file too large (${info.size} bytes)` };
    return { ok: true, text: await readFile(path, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      return { ok: false, missing: true, reason: 'file not found' };
    return { ok: false, missing: false, reason: `cannot read: ${code ?? String(err)}` };
  }
}

/** Whether a path is an existing directory. */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Whether a path exists (file or directory). */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Directory entries, or undefined when the directory cannot be listed. */
export async function listDir(path: string): Promise<string[] | undefined> {
  try {
    return await readdir(path);
  } catch {
    return undefined;
  }
}

/** Canonical path for de-duplication (symlinked Steam roots); the input when it cannot be resolved. */
export async function canonical(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return path;
  }
}

/** Parses JSON without throwing. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown };
  } catch (err) {
    return { ok: false, reason: `malformed JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}
