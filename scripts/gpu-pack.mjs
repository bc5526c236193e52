// `npm run gpu:pack`: writes .gpu-check/, everything `npm run bench:gpu` needs, for a lent GPU
// machine that gets the working tree plus a few carried (ignored) folders but has no network and
// no node_modules (docs/gpu.md, "Running the GPU check on a machine without network"). There,
// `node .gpu-check/run.mjs [--quick]` runs the GPU check as is.
//
// The layout mirrors the repository's (dist/, bench/, examples/data/, node_modules/), so the
// bench's relative imports, the Chromium page's /dist/ URLs and Node's package lookup all work
// unchanged; nothing is bundled. Which packages go in is found by following the imports from the
// bench's entry points; the `webgpu` package (imported through a variable, so no static import
// names it) is added by hand, trimmed to its JS and the linux-x64 Dawn build.
// --node adds this Node binary, xz-compressed (about 23 MiB), for a machine without Node: then
// `sh .gpu-check/run.sh` runs the check with the node on PATH (>= 20) or else the packed one;
// such a pack leaves playwright-core out (Node's device only, no Chromium fallback).
// --vulkan adds the Vulkan loader (libvulkan.so.1 from Debian's libvulkan1, fetched with apt-get
// download, 0.4 MB), which run.sh puts on LD_LIBRARY_PATH where the machine has none.
// Usage: node scripts/gpu-pack.mjs [--out DIR] [--max-mib N] [--node] [--vulkan]
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out' || args[i] === '--max-mib') i++;
  else if (args[i] !== '--node' && args[i] !== '--vulkan') {
    process.stderr.write(`gpu:pack: unknown option ${args[i]} (options: --out DIR, --max-mib N, --node, --vulkan)\n`);
    process.exit(2);
  }
}
const OUT = resolve(REPO, opt('--out', '.gpu-check'));
const MAX_MIB = Number(opt('--max-mib', '60'));
const WITH_NODE = args.includes('--node');
const WITH_VULKAN = args.includes('--vulkan');

/** Entry points of the GPU check: the bench, its cases, and the modules the device functions load by path (ctx.lib). */
const ENTRIES = ['bench/gpu.mjs', ...readdirSync(join(REPO, 'bench/cases')).filter((f) => /^gpu-.*\.mjs$/.test(f)).map((f) => `bench/cases/${f}`)];
const LIB_IMPORTS = /ctx\.lib\(\s*['"]([^'"]+)['"]\s*\)/g;
/**
 * Packages loaded through a variable or only in some paths, which the import scan cannot see. With
 * --node the Chromium fallback's playwright-core (12 MB) stays out to keep the pack under 60 MiB:
 * a machine without Node is not expected to have Chromium.
 */
const EXTRA_PACKAGES = WITH_NODE ? ['webgpu'] : ['webgpu', 'playwright-core'];
/** Data files the cases read at run time. */
const DATA = ['examples/data/digits-train.csv'];

const fail = (msg) => {
  process.stderr.write(`gpu:pack: ${msg}\n`);
  process.exit(1);
};
if (!existsSync(join(REPO, 'dist/runtime/webgpu/index.js'))) fail('dist/ is not built (run npm run build first)');

// 1. Follow relative imports from the entries; collect the bare package names they reach.
const SPEC = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const seen = new Set();
const packages = new Set(EXTRA_PACKAGES);
const queue = ENTRIES.map((e) => join(REPO, e));
for (const src of ENTRIES) for (const m of readFileSync(join(REPO, src), 'utf8').matchAll(LIB_IMPORTS)) queue.push(join(REPO, 'dist', m[1]));
while (queue.length) {
  const file = queue.pop();
  if (seen.has(file)) continue;
  seen.add(file);
  if (!existsSync(file)) fail(`${relative(REPO, file)} is imported but missing (run npm run build)`);
  for (const m of readFileSync(file, 'utf8').matchAll(SPEC)) {
    const spec = m[1] ?? m[2] ?? m[3];
    // node: built-ins; '/dist/...' are URLs inside the Chromium page (dist/ goes in whole).
    if (spec.startsWith('node:') || spec.startsWith('/')) continue;
    if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec));
    else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
  }
}
const BUILTINS = new Set((await import('node:module')).builtinModules);
for (const p of [...packages]) if (BUILTINS.has(p)) packages.delete(p);

// 2. Each package and its dependencies, found the way Node finds them (nested node_modules first).
const pkgDirs = new Map(); // folder in the repo -> package name
function findPackage(name, fromDir) {
  for (let d = fromDir; ; d = dirname(d)) {
    const cand = join(d, 'node_modules', name);
    if (existsSync(join(cand, 'package.json'))) return cand;
    if (d === dirname(d) || !d.startsWith(REPO)) return undefined;
  }
}
function addPackage(name, fromDir, optional) {
  const dir = findPackage(name, fromDir);
  if (!dir) {
    if (optional) return;
    fail(`package ${name} is not installed (npm ci)`);
  }
  if (pkgDirs.has(dir)) return;
  pkgDirs.set(dir, name);
  if (name === 'webgpu') return; // its index.js needs only node: modules and the Dawn addon
  const pj = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const dep of Object.keys(pj.dependencies ?? {})) addPackage(dep, dir, false);
  for (const dep of Object.keys(pj.optionalDependencies ?? {})) addPackage(dep, dir, true);
}
for (const p of packages) addPackage(p, REPO, p === 'playwright-core');
if (WITH_NODE) for (const dir of [...pkgDirs.keys()]) if (pkgDirs.get(dir) === 'playwright-core') pkgDirs.delete(dir);

// 3. Write the pack.
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const noTypes = (src) => !/\.d\.ts$|\.map$/.test(src);
cpSync(join(REPO, 'dist'), join(OUT, 'dist'), { recursive: true, filter: noTypes });
for (const f of seen) {
  const rel = relative(REPO, f);
  if (rel.startsWith('bench/')) cpSync(f, join(OUT, rel));
}
for (const f of DATA) cpSync(join(REPO, f), join(OUT, f));
for (const [dir, name] of pkgDirs) {
  const to = join(OUT, relative(REPO, dir));
  if (name === 'webgpu') {
    const platform = 'linux-x64';
    for (const f of ['index.js', 'package.json', 'LICENSE.md']) cpSync(join(dir, f), join(to, f));
    cpSync(join(dir, 'dist', platform), join(to, 'dist', platform), { recursive: true });
  } else if (name.startsWith('@stdlib/')) {
    // Only the JS (lib/) and what locates it: the C sources, headers and docs are 85% of @stdlib.
    const keep = new Set(['package.json', 'lib', 'manifest.json', 'LICENSE', 'NOTICE']);
    cpSync(dir, to, { recursive: true, filter: (src) => src === dir || keep.has(relative(dir, src).split('/')[0]) });
  } else {
    // A package's own nested node_modules are packages in their own right (copied when reached).
    cpSync(dir, to, { recursive: true, filter: (src) => !relative(dir, src).split('/').includes('node_modules') && noTypes(src) });
  }
}
// dist/'s .js files are ES modules: the nearest package.json says so.
writeFileSync(join(OUT, 'package.json'), `${JSON.stringify({ name: 'pmix-gpu-check', private: true, type: 'module' }, null, 2)}\n`);
writeFileSync(
  join(OUT, 'run.mjs'),
  [
    '// The GPU check, packed by `npm run gpu:pack` (scripts/gpu-pack.mjs): node .gpu-check/run.mjs [--quick] [--case NAME] [--json] [--browser]',
    "import './bench/gpu.mjs';",
    '',
  ].join('\n'),
);
writeFileSync(join(OUT, 'run.sh'), readFileSync(join(REPO, 'scripts/gpu-pack-run.sh')));
chmodSync(join(OUT, 'run.sh'), 0o755);
if (WITH_NODE) {
  try {
    writeFileSync(join(OUT, 'node.xz'), execFileSync('xz', ['-6', '-T0', '-c', process.execPath], { maxBuffer: 2 ** 30 }));
  } catch (e) {
    fail(`--node: could not compress ${process.execPath} with xz: ${e.message.split('\n')[0]}`);
  }
}
if (WITH_VULKAN) {
  const tmp = mkdtempSync(join(tmpdir(), 'pmix-gpu-pack-vulkan-'));
  try {
    execFileSync('apt-get', ['download', 'libvulkan1'], { cwd: tmp, stdio: ['ignore', 'ignore', 'pipe'] });
    const deb = readdirSync(tmp).find((f) => f.endsWith('.deb'));
    execFileSync('dpkg', ['-x', join(tmp, deb), join(tmp, 'x')]);
    const lib = join(tmp, 'x/usr/lib/x86_64-linux-gnu/libvulkan.so.1');
    mkdirSync(join(OUT, 'vulkan'));
    cpSync(lib, join(OUT, 'vulkan/libvulkan.so.1'), { dereference: true });
    cpSync(join(tmp, 'x/usr/share/doc/libvulkan1/copyright'), join(OUT, 'vulkan/copyright'));
    writeFileSync(join(OUT, 'vulkan/SOURCE'), `${deb} (Debian's libvulkan1, via apt-get download)\n`);
  } catch (e) {
    fail(`--vulkan: could not fetch Debian's libvulkan1 (apt-get download, dpkg -x, amd64): ${e.message.split('\n')[0]}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const size = (p) => (statSync(p).isDirectory() ? readdirSync(p).reduce((s, f) => s + size(join(p, f)), 0) : statSync(p).size);
const bytes = size(OUT);
const mib = bytes / 2 ** 20;
const names = [...new Set(pkgDirs.values())].sort();
process.stdout.write(`gpu:pack: ${relative(REPO, OUT) || OUT} is ${mib.toFixed(1)} MiB (limit ${MAX_MIB} MiB): dist/, ${seen.size} modules reached from bench/gpu.mjs, ${names.length} packages (${names.filter((n) => !n.startsWith('@stdlib/')).join(', ')}, @stdlib/*)\n`);
if (mib > MAX_MIB) fail(`the pack is ${mib.toFixed(1)} MiB, over the ${MAX_MIB} MiB limit`);
