// What the bundled CLI (dist/cli/main.js and its chunks, scripts/bundle-cli.mjs) is made of,
// read from its source maps: the project's .ts files by path, packages by name.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

export const root = resolve(new URL('../../', import.meta.url).pathname);

/** The built CLI's files: the entry and every chunk. */
export function bundleFiles(): string[] {
  const dir = join(root, 'dist/cli/bundle');
  return [join(root, 'dist/cli/main.js'), ...readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => join(dir, f))];
}

/** A source as named here: 'cli/main.ts' for ours, 'pkg:lodash-es' for a package's file. */
function name(mapFile: string, source: string): string {
  const abs = resolve(dirname(mapFile), source);
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(abs);
  return pkg ? `pkg:${pkg[1]}` : relative(root, abs);
}

const maps = new Map<string, { map: SourceMap; sources: string[] } | null>();
function mapOf(file: string): { map: SourceMap; sources: string[] } | null {
  if (!maps.has(file)) {
    const mf = `${file}.map`;
    if (!existsSync(mf)) maps.set(file, null); // rolldown's runtime helpers have none
    else {
      const payload = JSON.parse(readFileSync(mf, 'utf8'));
      maps.set(file, { map: new SourceMap(payload), sources: payload.sources.map((s: string) => name(mf, s)) });
    }
  }
  return maps.get(file)!;
}

/** The sources a built file holds. */
export function sourcesOf(file: string): string[] {
  return mapOf(file)?.sources ?? [];
}

/** The source the code at a character offset of a built file came from (undefined: no mapping). */
export function originAt(file: string, text: string, offset: number): string | undefined {
  const m = mapOf(file);
  if (!m) return undefined;
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  const column = offset - (before.lastIndexOf('\n') + 1);
  const e = m.map.findEntry(line, column) as { originalSource?: string };
  return e.originalSource ? name(`${file}.map`, e.originalSource.replace(/^file:\/\//, '')) : undefined;
}
