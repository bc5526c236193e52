// The floors hold in the real tree, and the checker catches a deliberately wrong tree.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkImports, FLOORS } from './import-rules.js';

const ROOT = join(import.meta.dirname, '../..');

function sourceTree(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(join(ROOT, d))) {
      const p = `${d}/${e}`;
      if (statSync(join(ROOT, p)).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) files.set(p, readFileSync(join(ROOT, p), 'utf8'));
    }
  };
  for (const f of FLOORS.flat()) {
    try {
      walk(f);
    } catch {
      // a floor with no folder yet
    }
  }
  return files;
}

describe('import rules', () => {
  it('the source tree imports only down its floors, without cycles or deep imports', () => {
    const files = sourceTree();
    expect(files.size).toBeGreaterThan(200);
    expect(checkImports(files).map((v) => v.message)).toEqual([]);
  });

  it('catches an upward import, a sideways import, a cycle and a deep import (a deliberately wrong tree)', () => {
    const files = new Map([
      ['ir/types.ts', "import { Session } from '../session/session.js';\n"],
      ['session/session.ts', "import type { IRGraph } from '../ir/types.js';\n"],
      ['language/ast.ts', "import { x } from '../stdlib/random.js';\n"],
      ['stdlib/random.ts', 'export const x = 1;\n'],
      ['stdlib/dists/index.ts', "export * from './normal.js';\n"],
      ['stdlib/dists/normal.ts', 'export const n = 1;\n'],
      ['compiler/a.ts', "import { b } from './b.js';\nimport { n } from '../stdlib/dists/normal.js';\n"],
      ['compiler/b.ts', "import { a } from './a.js';\n// import { z } from '../cli/main.js';\n"],
    ]);
    const kinds = checkImports(files).map((v) => `${v.kind} ${v.from}`).sort();
    expect(kinds).toEqual(['cycle compiler/a.ts', 'cycle ir/types.ts', 'deep compiler/a.ts', 'sideways language/ast.ts', 'upward ir/types.ts']);
  });
});
