// After tsc: makes the built CLI executable (tsc does not set file modes), and points dist/ at
// chevrotain's single-file bundle. The package entry (lib/src/api.js) pulls in ~640 lodash-es
// modules, about 0.45 s of CPU on every start of the CLI; the bundle, the same code in one file
// that chevrotain publishes as lib/chevrotain.mjs, loads in ~20 ms (docs/performance.md,
// "CLI start-up"). Its exports map does not expose it, so it is copied to dist/vendor/ and the
// emitted `from 'chevrotain'` imports are rewritten to it. Sources and tests keep 'chevrotain'.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const bin = join(dist, 'cli/main.js');
if (existsSync(bin)) chmodSync(bin, 0o755);

const entry = fileURLToPath(import.meta.resolve('chevrotain'));
const bundle = join(dirname(entry), '../chevrotain.mjs');
if (!existsSync(bundle)) throw new Error(`postbuild: chevrotain's bundle is not at ${bundle} (was chevrotain upgraded?)`);
const vendored = join(dist, 'vendor/chevrotain.mjs');
mkdirSync(dirname(vendored), { recursive: true });
copyFileSync(bundle, vendored);
// The licences of what the bundle holds (chevrotain: Apache-2.0; the lodash-es it inlines: MIT).
copyFileSync(join(dirname(entry), '../../LICENSE.txt'), join(dist, 'vendor/chevrotain.LICENSE.txt'));
const pkg = join(dirname(entry), '../..'); // chevrotain's folder; lodash-es nested in it or beside it
const lodashLicence = [join(pkg, 'node_modules/lodash-es/LICENSE'), join(pkg, '../lodash-es/LICENSE')].find((p) => existsSync(p));
if (lodashLicence) copyFileSync(lodashLicence, join(dist, 'vendor/lodash-es.LICENSE.txt'));

const IMPORT = /(from\s*|import\s*\(\s*)(['"])chevrotain\2/g;
let rewritten = 0;
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (path === join(dist, 'vendor')) continue;
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.js')) {
      const text = readFileSync(path, 'utf8');
      if (text.includes('vendor/chevrotain.mjs')) rewritten++; // already pointed there (postbuild run twice)
      if (!text.match(IMPORT)) continue;
      let rel = relative(dirname(path), vendored).split(sep).join('/');
      if (!rel.startsWith('.')) rel = `./${rel}`;
      writeFileSync(path, text.replace(IMPORT, (_m, head, q) => `${head}${q}${rel}${q}`));
      rewritten++;
    }
  }
};
walk(dist);
if (rewritten === 0) throw new Error('postbuild: no emitted module imports chevrotain (was the parser moved?)');
