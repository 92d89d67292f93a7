/**
 * Regenerates docs/benchmarks.md from saved benchmark JSON, keeping the sections other benchmarks splice in:
 * node dist/bench/write-benchmarks-md.js bench.json docs/benchmarks.md
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

import { renderBenchmarksMarkdown, type BenchResult } from './benchmarks-md.js';
import { sectionsOf } from './md-section.js';

const [input, output] = process.argv.slice(2);
if (input === undefined || output === undefined) {
  console.error('usage: write-benchmarks-md <bench.json> <benchmarks.md>');
  process.exit(2);
}
const kept = existsSync(output) ? sectionsOf(readFileSync(output, 'utf8')) : [];
const page = renderBenchmarksMarkdown(JSON.parse(readFileSync(input, 'utf8')) as BenchResult);
writeFileSync(output, [page, ...kept.map((k) => `${k}\n`)].join('\n'));
