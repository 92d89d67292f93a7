/** Regenerates docs/benchmarks.md from saved benchmark JSON: node dist/bench/write-benchmarks-md.js bench.json docs/benchmarks.md */
import { readFileSync, writeFileSync } from 'node:fs';

import { renderBenchmarksMarkdown, type BenchResult } from './benchmarks-md.js';

const [input, output] = process.argv.slice(2);
if (input === undefined || output === undefined) {
  console.error('usage: write-benchmarks-md <bench.json> <benchmarks.md>');
  process.exit(2);
}
writeFileSync(output, renderBenchmarksMarkdown(JSON.parse(readFileSync(input, 'utf8')) as BenchResult));
