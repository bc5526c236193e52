// The floors of the source tree and a checker for them: imports only go down, no import cycles,
// and a folder with an index.ts is entered through it from outside. Pure functions over a map
// of file -> text, so the test can feed it a deliberately wrong tree as well as the real one.

/** Top-level folders from the ground up; a folder may import its own floor's folder and any lower floor. */
export const FLOORS: readonly (readonly string[])[] = [
  ['ir', 'platform', 'plot'],
  ['language', 'stdlib'],
  ['circuits'],
  ['compiler'],
  ['runtime'],
  ['families'],
  ['session'],
  ['api'],
  ['cli', 'playground'],
];

/** Folders entered through more than index.ts (the package's Node and browser entries). */
export const ENTRIES: Readonly<Record<string, readonly string[]>> = {
  api: ['api/index.ts', 'api/browser.ts'],
  // The WebGPU helpers are browser-safe on their own; the circuit kernels' and the nets' host sides are not.
  'runtime/webgpu': ['runtime/webgpu/index.ts', 'runtime/webgpu/circuit/index.ts', 'runtime/webgpu/nets/index.ts'],
};

export interface Violation {
  readonly kind: 'upward' | 'sideways' | 'cycle' | 'deep' | 'unresolved';
  readonly from: string;
  readonly to: string;
  readonly message: string;
}

const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[^.\w])import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

/** The relative imports of a source text (static, re-exports, side-effect and dynamic). */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  const stripped = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/[^\n]*/g, '$1');
  for (const m of stripped.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2] ?? m[3];
    // Assets bundled by vite (`?raw`) are not modules of the tree.
    if (spec && spec.startsWith('.') && !spec.includes('?')) out.push(spec);
  }
  return out;
}

function join(dir: string, rel: string): string {
  const parts = dir ? dir.split('/') : [];
  for (const p of rel.split('/')) {
    if (p === '.' || p === '') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return parts.join('/');
}

function resolveImport(files: ReadonlyMap<string, string>, from: string, spec: string): string | undefined {
  const dir = from.includes('/') ? from.slice(0, from.lastIndexOf('/')) : '';
  const base = join(dir, spec);
  const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), base, `${base}.ts`, `${base}/index.ts`];
  return candidates.find((c) => files.has(c));
}

function floorOf(file: string): number {
  const top = file.split('/')[0]!;
  return FLOORS.findIndex((f) => f.includes(top));
}

/** Checks every file of the map (paths relative to the project root, '/'-separated). */
export function checkImports(files: ReadonlyMap<string, string>): Violation[] {
  const out: Violation[] = [];
  const graph = new Map<string, string[]>();
  const indexDirs = new Set([...files.keys()].filter((f) => f.endsWith('/index.ts')).map((f) => f.slice(0, -'/index.ts'.length)));
  for (const [file, text] of files) {
    const edges: string[] = [];
    graph.set(file, edges);
    const fromFloor = floorOf(file);
    const fromTop = file.split('/')[0]!;
    for (const spec of importsOf(text)) {
      const target = resolveImport(files, file, spec);
      if (!target) {
        out.push({ kind: 'unresolved', from: file, to: spec, message: `${file} imports '${spec}', which is no file of the tree` });
        continue;
      }
      edges.push(target);
      const toTop = target.split('/')[0]!;
      const deep = [...indexDirs].find((d) => target.startsWith(`${d}/`) && !(ENTRIES[d] ?? [`${d}/index.ts`]).includes(target) && !file.startsWith(`${d}/`));
      if (deep) out.push({ kind: 'deep', from: file, to: target, message: `${file} reaches into ${deep}/ past its index.ts (import '${deep}/index.js')` });
      if (toTop === fromTop) continue;
      const toFloor = floorOf(target);
      if (fromFloor < 0 || toFloor < 0) continue;
      if (toFloor > fromFloor) out.push({ kind: 'upward', from: file, to: target, message: `${file} (floor ${fromTop}) imports ${target} (floor ${toTop}, above it): imports only go down` });
      else if (toFloor === fromFloor) out.push({ kind: 'sideways', from: file, to: target, message: `${file} imports ${target}: ${fromTop}/ and ${toTop}/ share a floor and do not import each other` });
    }
  }
  for (const cycle of cycles(graph)) out.push({ kind: 'cycle', from: cycle[0]!, to: cycle[cycle.length - 1]!, message: `import cycle: ${[...cycle, cycle[0]].join(' -> ')}` });
  return out;
}

/** Strongly connected components of more than one file (Tarjan), each as a list of files. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    // Iterative DFS (the tree is deep enough to make recursion a risk).
    const work: { v: string; i: number }[] = [{ v, i: 0 }];
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    while (work.length) {
      const top = work[work.length - 1]!;
      const edges = graph.get(top.v) ?? [];
      if (top.i < edges.length) {
        const w = edges[top.i++]!;
        if (!idx.has(w)) {
          idx.set(w, index);
          low.set(w, index++);
          stack.push(w);
          on.add(w);
          work.push({ v: w, i: 0 });
        } else if (on.has(w)) low.set(top.v, Math.min(low.get(top.v)!, idx.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]!.v;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.v)!));
      }
      if (low.get(top.v) === idx.get(top.v)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          on.delete(w);
          comp.push(w);
        } while (w !== top.v);
        if (comp.length > 1) out.push(comp.reverse());
      }
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}
