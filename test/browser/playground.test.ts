// End to end: build the playground with Vite, serve it, drive it in headless Debian Chromium
// (playwright-core). It fits a typed model on the shipped CSV and must print the Node API's
// mean log-likelihood and draw a plot; an artifact saved in Node must give the same
// log-densities in the page. Skipped (with a message) only where /usr/bin/chromium is absent;
// .ci/run installs it.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'vite';
import { compile } from '../../api/index.js';
import { formatAnswer } from '../../api/format.js';
import { serveDir } from './static-server.js';

const CHROMIUM = '/usr/bin/chromium';
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = join(REPO, 'test-artifacts');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`browser tests skipped: ${CHROMIUM} not found (apt-get install chromium; .ci/run does)`);

const MODEL = `// typed by the browser test
data penguins from "data/penguins.csv" {
  bill_length_mm: real
  bill_depth_mm: real
  flipper_length_mm: real
  body_mass_g: real
}

model Penguins = mixture(k = 3) of Normal(full)

fit Penguins on penguins by em(max_iter = 300, tol = 1e-6, restarts = 3, seed = 7)

query Penguins: logp(flipper_length_mm = 190, bill_depth_mm = 17)
`;

describe.skipIf(!hasChromium)('playground in headless Chromium', () => {
  let tmp: string;
  let server: { url: string; close: () => Promise<void> };
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'pmix-playground-'));
    await build({ configFile: join(REPO, 'playground/vite.config.ts'), logLevel: 'warn', build: { outDir: join(tmp, 'dist'), emptyOutDir: true } });
    server = await serveDir(join(tmp, 'dist'));
    context = await chromium.launchPersistentContext(join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1400, height: 1000 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(server.url);
    await page.waitForSelector('#diagnostics[data-errors="0"]');
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('shows diagnostics, fits on the shipped CSV like the Node API, and plots', async () => {
    await page.fill('#source', '');
    await page.locator('#source').pressSequentially('model M = mixture(k = 2) of');
    await page.waitForSelector('#diagnostics:not([data-errors="0"])');
    await page.click('#use-shipped');
    await page.waitForSelector('#data-status:has-text("penguins.csv")');
    await page.fill('#source', MODEL.replace('of Normal(full)', 'of Nromal(full)'));
    await page.waitForSelector('#diagnostics:has-text("Nromal")');
    await page.fill('#source', MODEL);
    await page.waitForSelector('#diagnostics:has-text("no problems")');
    await page.click('#fit');
    const summary = await page.waitForSelector('#summary[data-mean-log-likelihood]', { timeout: 30_000 });
    const browserLL = Number(await summary.getAttribute('data-mean-log-likelihood'));

    const node = compile(MODEL, { file: join(REPO, 'examples', 'browser-test.pmix') }).run();
    expect(Math.abs(browserLL - node.fits[0]!.mean_log_likelihood)).toBeLessThan(1e-6);
    expect(await page.textContent('#summary')).toMatch(/mean log-likelihood -?\d/);
    expect(await page.textContent('#answers')).toContain(`logp(flipper_length_mm = 190, bill_depth_mm = 17)\n${formatAnswer(node.queries[0]!.answer)}`);

    expect(await page.locator('#plot svg .data circle').count()).toBeGreaterThan(300);
    expect(await page.locator('#plot svg .density rect').count()).toBeGreaterThan(10);
    expect(await page.locator('#plot svg .means path').count()).toBe(3);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'playground.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('loads an artifact saved in Node and gives the same log-densities', async () => {
    const cars = compile(readFileSync(join(REPO, 'examples/cars.pmix'), 'utf8'), { file: join(REPO, 'examples/cars.pmix') });
    cars.run();
    const model = cars.model('Cars');
    const csv = 'mpg,horsepower,weight,cylinders,origin\n18,130,3504,8,USA\n35,,2000,4,Japan\n25,95,,4,\n,,,6,Europe\n';
    const rows = [
      { mpg: 18, horsepower: 130, weight: 3504, cylinders: 8, origin: 'USA' },
      { mpg: 35, horsepower: null, weight: 2000, cylinders: 4, origin: 'Japan' },
      { mpg: 25, horsepower: 95, weight: null, cylinders: 4, origin: null },
      { mpg: null, horsepower: null, weight: null, cylinders: 6, origin: 'Europe' },
    ];
    const expected = Array.from(model.logProb(rows));

    await page.fill('#artifact', model.save());
    await page.click('#load-artifact');
    await page.waitForSelector('#artifact-status[data-model="Cars"]');
    await page.fill('#rows', csv);
    await page.click('#score');
    const out = await page.waitForSelector('#logdensities[data-values]');
    const got = JSON.parse((await out.getAttribute('data-values')) ?? '[]') as number[];
    expect(got).toHaveLength(expected.length);
    got.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-5));
    await page.screenshot({ path: join(ARTIFACTS, 'playground-artifact.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
