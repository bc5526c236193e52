// `pmix --version` (and every command's start) must not load TensorFlow.js: it is loaded by
// a dynamic import only where a command needs it (pmix info). This walks the static imports
// from cli/main.ts and from every command module its actions import (type-only imports erased,
// as tsc does) and fails on any '@tensorflow/' one. startup-loads.test.ts traces the real loads.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;

function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1]!);
  return out;
}

/** Every module reached from the entries by static imports: local files and package names. */
function reach(...entries: string[]): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const todo = [...entries];
  while (todo.length) {
    const f = todo.pop()!;
    if (files.has(f)) continue;
    files.add(f);
    for (const spec of staticImports(f)) {
      if (spec.startsWith('.')) todo.push(resolve(dirname(f), spec.replace(/\.js$/, '.ts')));
      else packages.set(spec, f);
    }
  }
  return { files, packages };
}

describe('start-up imports', () => {
  it('cli/main.ts and the command modules reach no TensorFlow.js package by static imports', () => {
    const commands = readdirSync(join(root, 'cli/commands')).filter((f) => f.endsWith('.ts')).map((f) => join(root, 'cli/commands', f));
    expect(commands.length).toBeGreaterThan(8);
    const { files, packages } = reach(join(root, 'cli/main.ts'), ...commands);
    expect(files.size).toBeGreaterThan(50); // the walk does follow the command modules
    const tf = [...packages].filter(([p]) => p.startsWith('@tensorflow/')).map(([p, f]) => `${p} (from ${f.slice(root.length)})`);
    expect(tf).toEqual([]);
  });

  it('pmix info still reaches it (dynamically), so the walk would see a static one', () => {
    expect(staticImports(join(root, 'runtime/backend/select.ts'))).toContain('@tensorflow/tfjs-core');
  });
});
