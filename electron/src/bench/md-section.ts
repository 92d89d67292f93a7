/**
 * Named sections of docs/benchmarks.md that one benchmark owns, between `<!-- section:NAME -->` and
 * `<!-- /section:NAME -->`: a benchmark rewrites its own section and leaves the others as they are.
 */
const open = (name: string): string => `<!-- section:${name} -->`;
const close = (name: string): string => `<!-- /section:${name} -->`;

/** `markdown` with section `name` replaced by `body` (appended at the end when it is not there yet). */
export function spliceSection(markdown: string, name: string, body: string): string {
  const block = `${open(name)}\n${body.trim()}\n${close(name)}`;
  const start = markdown.indexOf(open(name));
  const end = markdown.indexOf(close(name));
  if (start >= 0 && end > start)
    return markdown.slice(0, start) + block + markdown.slice(end + close(name).length);
  return `${markdown.trimEnd()}\n\n${block}\n`;
}

/** Every section in `markdown`, in order, as whole blocks (markers included). */
export function sectionsOf(markdown: string): string[] {
  return [...markdown.matchAll(/<!-- section:([\w-]+) -->[\s\S]*?<!-- \/section:\1 -->/g)].map((m) => m[0]);
}
