/**
 * The last good copy of each relay registry, kept on disk (`registry-cache.json` beside the settings) so a
 * registry that is briefly unreachable still gives relays. Copies are stored exactly as signed and verified
 * again on every use, so a copy that has expired since, or a file edited by hand, is refused like a served
 * one. Reads never throw (a missing or corrupt file is an empty cache); writes are atomic.
 */
import { readFile } from 'node:fs/promises';

import { z } from 'zod';

import { writeFileAtomic } from './settings-store.js';

/** Registries remembered (the default one and the user's own fit, with room for a change of URL). */
const MAX_ENTRIES = 4;
/** Largest copy kept (the registry fetch refuses more than this anyway). */
const MAX_TEXT = 1024 * 1024;

const fileSchema = z.object({
  format: z.literal(1),
  entries: z
    .array(z.object({ url: z.string(), publicKey: z.string(), text: z.string().max(MAX_TEXT) }))
    .max(MAX_ENTRIES),
});
type Entry = z.infer<typeof fileSchema>['entries'][number];

export class RegistryCache {
  private writes: Promise<void> = Promise.resolve();

  constructor(readonly file: string) {}

  /** The last good copy of the registry at `url` signed for `publicKey`, or null. */
  async get(url: string, publicKey: string): Promise<string | null> {
    const entry = (await this.entries()).find((e) => e.url === url && e.publicKey === publicKey);
    return entry?.text ?? null;
  }

  /** Keeps `text` (already verified) as the registry's last good copy. */
  async put(url: string, publicKey: string, text: string): Promise<void> {
    if (text.length > MAX_TEXT) return;
    const write = this.writes.then(async () => {
      const others = (await this.entries()).filter((e) => !(e.url === url && e.publicKey === publicKey));
      const entries = [{ url, publicKey, text }, ...others].slice(0, MAX_ENTRIES);
      await writeFileAtomic(this.file, JSON.stringify({ format: 1, entries }));
    });
    // A failed write must not block later ones.
    this.writes = write.catch(() => undefined);
    await write;
  }

  private async entries(): Promise<Entry[]> {
    try {
      const parsed = fileSchema.safeParse(JSON.parse(await readFile(this.file, 'utf8')));
      return parsed.success ? parsed.data.entries : [];
    } catch {
      return [];
    }
  }
}
