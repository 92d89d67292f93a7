/**
 * A JSON settings file validated by a zod schema. Reads never throw: a missing file gives the schema's
 * defaults, a corrupt or invalid one gives the defaults too, with the reason logged and the bad file kept
 * beside it for inspection. Writes are atomic (temp file, fsync, rename) and applied in call order.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

import { z } from 'zod';

export interface SettingsLogger {
  warn(message: string): void;
}

/** How the current value was obtained. */
export type LoadOutcome = { source: 'file' } | { source: 'defaults'; reason: string | null };

/** Writes `data` to `file` atomically: readers see the old content or the new, never a torn file. */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Settings persisted as one JSON file; `T` is the schema's output (every field should have a default). */
export class SettingsStore<S extends z.ZodType<object>> {
  private value: z.output<S>;
  private outcome: LoadOutcome = { source: 'defaults', reason: null };
  private writes: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly schema: S,
    private readonly log: SettingsLogger = { warn: (m) => console.warn(m) },
  ) {
    this.value = this.defaults();
  }

  /** The schema's defaults (the schema must accept `{}`). */
  defaults(): z.output<S> {
    return this.schema.parse({});
  }

  /** Reads the file synchronously (the shell needs settings before its first window). */
  load(): z.output<S> {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return this.useDefaults(null);
      return this.useDefaults(`cannot read ${this.file}: ${(err as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      return this.quarantine(`${this.file} is not valid JSON (${(err as Error).message})`);
    }
    const parsed = this.schema.safeParse(json);
    if (!parsed.success) {
      return this.quarantine(
        `${this.file} does not match the settings schema: ${z.prettifyError(parsed.error)}`,
      );
    }
    this.value = parsed.data;
    this.outcome = { source: 'file' };
    return this.value;
  }

  /** How the last `load()` went. */
  get loadOutcome(): LoadOutcome {
    return this.outcome;
  }

  /** The current settings. */
  get(): z.output<S> {
    return this.value;
  }

  /** Validates `next`, makes it current and persists it; rejects (changing nothing) when invalid. */
  async set(next: z.input<S>): Promise<z.output<S>> {
    const parsed = this.schema.safeParse(next);
    if (!parsed.success) throw new Error(`invalid settings: ${z.prettifyError(parsed.error)}`);
    this.value = parsed.data;
    const text = `${JSON.stringify(parsed.data, null, 2)}\n`;
    const write = this.writes.then(() => writeFileAtomic(this.file, text));
    // A failed write must not block later ones; the caller still sees its own failure.
    this.writes = write.catch(() => undefined);
    await write;
    return parsed.data;
  }

  /** Merges `patch` into the current settings and persists the result. */
  async update(patch: Partial<z.input<S>>): Promise<z.output<S>> {
    return this.set({ ...(this.value as object), ...patch } as z.input<S>);
  }

  /** Resolves once every write issued so far has finished. */
  async flush(): Promise<void> {
    await this.writes;
  }

  private useDefaults(reason: string | null): z.output<S> {
    if (reason !== null) this.log.warn(`settings: ${reason}; using defaults`);
    this.value = this.defaults();
    this.outcome = { source: 'defaults', reason };
    return this.value;
  }

  private quarantine(reason: string): z.output<S> {
    const aside = `${this.file}.corrupt`;
    let kept = '';
    try {
      renameSync(this.file, aside);
      kept = `; the bad file was kept as ${aside}`;
    } catch {
      // Keeping a copy is a courtesy; the defaults are used either way.
    }
    return this.useDefaults(`${reason}${kept}`);
  }
}
