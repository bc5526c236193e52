// One vite build of the playground shared by the browser tests (three files built the same
// thing each, ~3 s of CPU apiece). The build lives in the OS temp directory under a hash of
// everything it is made from (the playground, the examples, the sources, the package files),
// so a changed source gets a fresh build and a build is never shared across different trees.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const INPUTS = ['playground', 'examples', 'api', 'ir', 'platform', 'language', 'stdlib', 'circuits', 'compiler', 'runtime', 'families', 'session', 'plot', 'package.json', 'package-lock.json'];

function addTree(hash: ReturnType<typeof createHash>, path: string, rel: string): void {
  if (!existsSync(path)) return;
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) if (name !== 'dist' && name !== 'node_modules') addTree(hash, join(path, name), `${rel}/${name}`);
  } else {
    hash.update(`${rel}\0${statSync(path).size}\0`);
    hash.update(readFileSync(path));
  }
}

/** The directory of a built playground for this tree (built now if no test built it yet). */
export async function builtPlayground(): Promise<string> {
  const hash = createHash('sha256');
  for (const p of INPUTS) addTree(hash, join(REPO, p), p);
  const dir = join(tmpdir(), `pmix-playground-build-${hash.digest('hex').slice(0, 20)}`);
  if (existsSync(join(dir, 'index.html'))) return dir;
  // Built aside and renamed into place: test files in other workers may be building it too.
  const tmp = mkdtempSync(join(tmpdir(), 'pmix-playground-building-'));
  await build({ configFile: join(REPO, 'playground/vite.config.ts'), logLevel: 'warn', build: { outDir: join(tmp, 'dist'), emptyOutDir: true } });
  try {
    renameSync(join(tmp, 'dist'), dir);
  } catch (e) {
    if (!existsSync(join(dir, 'index.html'))) throw e; // another worker's build won the race
  }
  rmSync(tmp, { recursive: true, force: true });
  return dir;
}
