import { describe, expect, it } from 'vitest';

import { sectionsOf, spliceSection } from './md-section.js';

describe('benchmark sections of docs/benchmarks.md', () => {
  it('appends a section, then replaces only it, leaving the rest byte for byte', () => {
    const doc = '# Engine benchmarks\n\ntext\n';
    const once = spliceSection(doc, 'capture', '## Capture\n\n1×');
    expect(once).toBe(
      '# Engine benchmarks\n\ntext\n\n<!-- section:capture -->\n## Capture\n\n1×\n<!-- /section:capture -->\n',
    );
    const other = spliceSection(once, 'relay', 'R');
    const twice = spliceSection(other, 'capture', '## Capture\n\n2×');
    expect(twice).toBe(other.replace('1×', '2×'));
    expect(sectionsOf(twice)).toEqual([
      '<!-- section:capture -->\n## Capture\n\n2×\n<!-- /section:capture -->',
      '<!-- section:relay -->\nR\n<!-- /section:relay -->',
    ]);
  });
});
