// Outside stdlib/distributions/, code asks a leaf family's declared capabilities
// (LeafFamily.squareProduct, linearGaussian, degeneracy, defaultFor, finiteSupport, ...)
// instead of comparing its name: a new leaf then needs no edit in circuits/, compiler/,
// runtime/ and above. This counts comparisons against leaf-name literals, and shows on a
// deliberately wrong file that each kind of comparison is caught.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distributions } from '../../stdlib/distributions/index.js';

const ROOT = join(import.meta.dirname, '../..');
/** The folders above the leaf registry (stdlib/ itself and language/, ir/, platform/ sit below or beside it). */
const FOLDERS = ['circuits', 'compiler', 'runtime', 'families', 'session', 'api', 'cli', 'playground'];

/**
 * Comparisons allowed anyway, as 'file: the matched text' with the reason beside it. Keep this
 * empty: add a capability to LeafFamily instead.
 */
const ALLOWED: ReadonlyMap<string, string> = new Map([]);

const NAMES = [...distributions.keys()];

/** The ways code compares a value with a leaf name: ===/!==/==/!=, `case`, Set/array membership. */
function comparisonPatterns(names: readonly string[]): RegExp[] {
  const lit = `(['"\`])(?:${names.join('|')})\\1`;
  return [
    new RegExp(`[!=]==?\\s*${lit}`, 'g'),
    new RegExp(`${lit}\\s*[!=]==?`, 'g'),
    new RegExp(`\\bcase\\s+${lit}\\s*:`, 'g'),
    new RegExp(`\\.(?:has|includes|indexOf)\\(\\s*${lit}`, 'g'),
    new RegExp(`new Set\\(\\[[^\\]]*${lit}`, 'g'),
    new RegExp(`\\[[^\\]\\n]*${lit}[^\\]\\n]*\\]\\s*\\.(?:includes|indexOf|some)\\(`, 'g'),
  ];
}

/** 'file:line: text' of each comparison with a leaf-name literal in the given sources. */
export function leafNameComparisons(files: ReadonlyMap<string, string>, names: readonly string[]): string[] {
  const out: string[] = [];
  const patterns = comparisonPatterns(names);
  for (const [file, text] of files) {
    for (const re of patterns) {
      for (const m of text.matchAll(re)) {
        const line = text.slice(0, m.index).split('\n').length;
        out.push(`${file}:${line}: ${m[0]}`);
      }
    }
  }
  return out.sort();
}

function sources(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(join(ROOT, d))) {
      const p = `${d}/${e}`;
      if (statSync(join(ROOT, p)).isDirectory()) walk(p);
      else if (/\.(ts|js|mjs)$/.test(p) && !p.endsWith('.d.ts')) files.set(p, readFileSync(join(ROOT, p), 'utf8'));
    }
  };
  for (const f of FOLDERS) {
    try {
      walk(f);
    } catch {
      // a folder that does not exist (yet)
    }
  }
  return files;
}

describe('leaf names are not compared outside stdlib/distributions/', () => {
  it('the tree has no comparison with a leaf-name literal (but the listed exceptions)', () => {
    const files = sources();
    expect(files.size).toBeGreaterThan(100);
    const found = leafNameComparisons(files, NAMES).filter((f) => !ALLOWED.has(f.replace(/:\d+: /, ': ')));
    expect(found).toEqual([]);
  });

  it('catches each kind of comparison (a deliberately wrong file) and passes names used as data', () => {
    const bad = [
      "if (layer.family.name === 'Normal') x();",
      "if (n.dist !== \"Poisson\") y();",
      "const same = 'Bernoulli' == kind;",
      'switch (t) { case `Categorical`: break; }',
      "const DISCRETE = new Set(['Bernoulli', 'Categorical']);",
      "if (['Gamma', 'Beta'].includes(n.dist)) z();",
      "if (SQUARABLE.has('Normal')) w();",
    ].join('\n');
    const fine = [
      '// a comment about Normal leaves and their diag variant',
      "const msg = `${family.name} leaves have no closed-form product`;",
      "if (a.family.name !== b.family.name) fail();",
      "const x = 'Normalize';",
      "if (v === 'diag') d();",
    ].join('\n');
    const found = leafNameComparisons(new Map([['runtime/bad.ts', bad], ['runtime/fine.ts', fine]]), NAMES);
    expect(found.map((f) => f.replace(/: .*/, ''))).toEqual(['runtime/bad.ts:1', 'runtime/bad.ts:2', 'runtime/bad.ts:3', 'runtime/bad.ts:4', 'runtime/bad.ts:5', 'runtime/bad.ts:6', 'runtime/bad.ts:7']);
  });
});
