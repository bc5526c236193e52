// The installed CLI is a bundle of cli/main.ts and what its commands import
// (scripts/bundle-cli.mjs). Its source maps name the .ts files (--debug's stack traces), and
// the one module that finds files by its own URL (runtime/evaluate-threads.ts: the evaluation
// workers import the built runtime beside it) still finds them from inside a chunk.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleFiles, root, sourcesOf } from '../helpers/bundle-sources.js';

describe('the bundled CLI', () => {
  const files = bundleFiles();

  it("has a source map per chunk naming the project's .ts files, all of which exist", () => {
    const ours = [...new Set(files.flatMap(sourcesOf))].filter((s) => !s.startsWith('pkg:'));
    expect(ours).toContain('cli/main.ts');
    expect(ours).toContain('compiler/compile.ts');
    expect(ours.length).toBeGreaterThan(200);
    expect(ours.filter((s) => !s.endsWith('.ts') || !existsSync(join(root, s)))).toEqual([]);
  });

  it("points runtime/evaluate-threads.ts's own URL at its built file, from which the workers' modules resolve", () => {
    const holders = files.filter((f) => sourcesOf(f).includes('runtime/evaluate-threads.ts'));
    expect(holders).toHaveLength(1);
    const text = readFileSync(holders[0]!, 'utf8');
    const urls = [...text.matchAll(/new URL\(`([^`]+)`,\s*import\.meta\.url\)/g)].map((m) => resolve(dirname(holders[0]!), m[1]!));
    expect(urls.length).toBeGreaterThan(0);
    for (const u of urls) expect(u).toBe(join(root, 'dist/runtime/evaluate-threads.js'));
    for (const rel of ['evaluate-threads.js', 'evaluate.js', 'state.js']) expect(existsSync(join(root, 'dist/runtime', rel))).toBe(true);
    // No other import.meta.url of ours is left naming a chunk (rolldown's createRequire may).
    const bare = files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/import\.meta\.url/g)].map(() => f));
    expect(bare.filter((f) => f !== holders[0] && !/rolldown-runtime/.test(f))).toEqual([]);
  });
});
