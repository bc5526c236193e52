// Regenerates the README's pictures (docs/images/*.png) through the real paths a user takes:
// `pmix repl`'s :plot and `pmix plot` (PNG through resvg), and the playground built by Vite
// and shot in headless Chromium. Run after `npm run build`: node scripts/readme-images.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile as readFileAsync } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'docs/images');
const tmp = mkdtempSync(join(tmpdir(), 'pmix-images-'));
const pmix = (args, input) => {
  const r = spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), ...args], { cwd: root, input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pmix ${args.join(' ')}: ${r.stderr}`);
  process.stdout.write(r.stdout);
};

pmix(['repl', '--no-history', 'examples/penguins.pmix'], `:plot Penguins flipper_length_mm bill_length_mm ${join(out, 'penguins-density.png')}\n`);
pmix(['fit', 'examples/faithful.pmix', '--out', join(tmp, 'faithful.json'), '--no-progress']);
pmix(['plot', join(tmp, 'faithful.json'), '--out', join(out, 'faithful-kde.png')]);
pmix(['fit', 'examples/co2.pmix', '--out', join(tmp, 'co2.json'), '--no-progress']);
pmix(['plot', join(tmp, 'co2.json'), '--out', join(out, 'co2-forecast.png'), '--from', '2000', '--to', '2035']);
pmix(['fit', 'examples/crash.pmix', '--model', 'Experts', '--out', join(tmp, 'crash.json'), '--no-progress']);
pmix(['plot', join(tmp, 'crash.json'), '--out', join(out, 'crash-experts.png')]);

// The playground on the penguins example, fitted.
const { build } = await import('vite');
const { chromium } = await import('playwright-core');
await build({ configFile: join(root, 'playground/vite.config.ts'), logLevel: 'warn', build: { outDir: join(tmp, 'site'), emptyOutDir: true } });
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.csv': 'text/csv', '.wasm': 'application/wasm' };
const server = createServer(async (req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  try {
    const body = await readFileAsync(join(tmp, 'site', path.endsWith('/') ? 'index.html' : path.replace(/\.\.+/g, '')));
    res.writeHead(200, { 'content-type': types[extname(path) || '.html'] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
await page.goto(`http://127.0.0.1:${server.address().port}/?example=penguins`);
await page.waitForSelector('#diagnostics:has-text("no problems")');
await page.click('#fit');
await page.waitForSelector('#fit-status[data-state="done"]', { timeout: 60_000 });
await page.mouse.move(0, 0);
await page.screenshot({ path: join(out, 'playground.png'), clip: { x: 0, y: 0, width: 1400, height: 900 } });
await browser.close();
server.close();
rmSync(tmp, { recursive: true, force: true });
console.log(`wrote ${out}/{penguins-density,faithful-kde,co2-forecast,crash-experts,playground}.png`);
