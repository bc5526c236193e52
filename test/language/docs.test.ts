import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseProgram, parseQuery } from '../../language/parse.js';

const doc = readFileSync(new URL('../../docs/language.md', import.meta.url), 'utf8');

describe('docs/language.md', () => {
  it('has examples that parse', () => {
    const blocks = [...doc.matchAll(/```pmix\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThan(6);
    for (const block of blocks) {
      // A bare model expression is shown in a declaration.
      const text = /^\s*(data|model|let|fit|query)\b/.test(block) ? block : `model Example = ${block}`;
      expect(parseProgram(text, 'doc.pmix').diagnostics, block).toEqual([]);
    }
  });

  it('has query examples that parse', () => {
    const table = doc.slice(doc.indexOf('| query | returns |'), doc.indexOf('Mixing bare variables'));
    const queries = [...table.matchAll(/`([a-z]+\(.*?\))`/g)].map((m) => m[1]!.replace(/\\\|/g, '|'));
    expect(queries.length).toBeGreaterThanOrEqual(13);
    for (const q of queries) expect(parseQuery(q).diagnostics, q).toEqual([]);
  });
});

describe('docs/integral.md', () => {
  it('has model examples that parse', () => {
    const text = readFileSync(new URL('../../docs/integral.md', import.meta.url), 'utf8');
    const blocks = [...text.matchAll(/```pmix\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const block of blocks) expect(parseProgram(block, 'doc.pmix').diagnostics, block).toEqual([]);
  });
});
