// End to end: build the playground with Vite, serve it, drive it in headless Debian Chromium
// (playwright-core). It fits a typed model on the shipped CSV and must print the Node API's
// mean log-likelihood and draw a plot; an artifact saved in Node must give the same
// log-densities in the page; a fit runs in a worker (the page answers input during it, shows
// progress, can cancel); edits mark results stale; every family has an example, and int
// columns, GPs and KDEs plot; missing data gets a user's message. Screenshots go to
// test-artifacts/. Skipped (with a message) only where /usr/bin/chromium is absent;
// .ci/run installs it.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../api/index.js';
import { formatAnswer } from '../../api/format.js';
import { serveDir } from './static-server.js';
import { builtPlayground } from '../helpers/playground-build.js';

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
    server = await serveDir(await builtPlayground()); // shared with the other playground tests (read only)
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

  /** Replaces the editor's text (CodeMirror: select all, then type over it in one insertion). */
  const setSource = async (text: string): Promise<void> => {
    await page.click('#source');
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(text);
  };
  const shot = async (name: string): Promise<void> => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
  };

  it('shows diagnostics inline and below, fits on the shipped CSV like the Node API, and plots', async () => {
    await setSource('');
    await page.locator('#source').pressSequentially('model M = mixture(k = 2) of');
    await page.waitForSelector('#diagnostics:not([data-errors="0"])');
    await page.click('#use-shipped');
    await page.waitForSelector('#data-status:has-text("penguins.csv")');
    await setSource(MODEL.replace('of Normal(full)', 'of Nromal(full)'));
    await page.waitForSelector('#diagnostics:has-text("Nromal")');
    // Underlined in the editor at the misspelled name.
    expect(await page.locator('.cm-lintRange-error').allTextContents()).toContain('Nromal');
    await setSource(MODEL);
    await page.waitForSelector('#diagnostics:has-text("no problems")');
    await page.click('#fit');
    const summary = await page.waitForSelector('#summary[data-mean-log-likelihood]', { timeout: 30_000 });
    const browserLL = Number(await summary.getAttribute('data-mean-log-likelihood'));

    const node = compile(MODEL, { file: join(REPO, 'examples', 'browser-test.pmix') }).run();
    expect(Math.abs(browserLL - node.fits[0]!.mean_log_likelihood)).toBeLessThan(1e-6);
    expect(await page.textContent('#summary')).toMatch(/mean log-likelihood -?\d/);
    expect(await page.textContent('#answers')).toContain(`logp(flipper_length_mm = 190, bill_depth_mm = 17)\n${formatAnswer(node.queries[0]!.answer)}`);

    // Density as contour bands (merged paths), the data coloured by component, three component means.
    expect(await page.locator('#plot svg .data circle').count()).toBeGreaterThan(300);
    expect(await page.locator('#plot svg .density path').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('#plot svg .density rect').count()).toBe(0);
    expect(await page.locator('#plot svg .markers path.marker').count()).toBe(3);
    expect(new Set(await page.$$eval('#plot svg .data circle', (cs) => cs.map((c) => c.getAttribute('fill')))).size).toBe(3);
    expect(await page.locator('#plot svg .x-ticks text').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('#plot svg .y-ticks text').count()).toBeGreaterThanOrEqual(3);
    await shot('playground.png');
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('fits in a worker: progress, the page answers input during the fit, cancel stops it', async () => {
    await page.selectOption('#example', 'penguins');
    await page.waitForSelector('body[data-example="penguins"]');
    await setSource(MODEL.replace('em(max_iter = 300, tol = 1e-6, restarts = 3, seed = 7)', 'em(max_iter = 100000, tol = 0, restarts = 50, seed = 7)'));
    await page.click('#fit');
    await page.waitForSelector('#fit-status[data-state="running"][data-fraction]', { timeout: 20_000 });
    expect(await page.isVisible('#progress')).toBe(true);
    // Typing lands in the editor while the fit is still running (a fit on the page's thread would hold it back).
    await page.click('#source');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n// typed during the fit');
    await page.waitForSelector('#source:has-text("typed during the fit")', { timeout: 2_000 });
    expect(await page.getAttribute('#fit-status', 'data-state')).toBe('running');
    // The text changed under the fit: its results will be for the old text.
    expect(await page.getAttribute('#results', 'data-stale')).toBe('true');
    await shot('playground-fitting.png');
    await page.click('#cancel');
    await page.waitForSelector('#fit-status[data-state="cancelled"]');
    expect(await page.isEnabled('#fit')).toBe(true);
    expect(await page.isVisible('#cancel')).toBe(false);
    expect(await page.textContent('#summary')).toContain('Fit cancelled');
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('marks results stale when the text changes after a fit', async () => {
    await setSource(MODEL);
    await page.click('#fit');
    await page.waitForSelector('#fit-status[data-state="done"]', { timeout: 30_000 });
    expect(await page.getAttribute('#results', 'data-stale')).toBe('false');
    expect(await page.isVisible('#stale')).toBe(false);
    await page.click('#source');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\nquery Penguins: mode()');
    await page.waitForSelector('#results[data-stale="true"]');
    expect(await page.isVisible('#stale')).toBe(true);
    await shot('playground-stale.png');
  }, 60_000);

  it('has an example for every family; plots int columns, GPs, KDEs and experts without internal messages', async () => {
    const families = await page.$$eval('#example optgroup', (gs) => gs.map((g) => (g as HTMLOptGroupElement).label));
    expect(families.sort()).toEqual(['chow_liu', 'circuit', 'gp', 'integral', 'kde', 'mixture', 'moe', 'squared']);
    for (const [id, check] of [
      ['football', '#plot svg .tiles rect'],
      ['gp-toy', '#plot svg path.mean'],
      ['faithful', '#plot svg .markers path.marker'],
      ['chow-liu', '#plot svg .tiles text'],
      // the mixture of GP experts' own picture: the mixture's band and each expert's band
      ['crash', '#plot svg path.expert-band'],
    ] as const) {
      await page.selectOption('#example', id);
      await page.waitForSelector(`body[data-example="${id}"]`, { timeout: 20_000 });
      await page.waitForSelector('#diagnostics:has-text("no problems")', { timeout: 20_000 });
      await page.click('#fit');
      await page.waitForSelector('#fit-status[data-state="done"], #fit-status[data-state="failed"]', { timeout: 45_000 });
      expect(await page.getAttribute('#fit-status', 'data-state'), `${id}: ${await page.textContent('#summary')}`).toBe('done');
      expect(await page.locator(check).count(), id).toBeGreaterThan(0);
      expect(await page.getAttribute('#plot', 'data-error')).toBeNull();
      const text = (await page.textContent('body')) ?? '';
      expect(text).not.toMatch(/is not an integer|no file system|Error:|at \S+ \(/);
      await shot(`playground-${id}.png`);
    }
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('says which CSV file to choose when a data set has none (no developer message)', async () => {
    await page.selectOption('#example', 'ring');
    await page.waitForSelector('body[data-example="ring"]');
    await setSource('data mine from "data/mine.csv" { x: real, y: real }\nmodel M = mixture(k = 2) of Normal\nfit M on mine\n');
    await page.waitForSelector('#diagnostics:has-text("choose the file mine.csv")');
    await page.click('#fit');
    await page.waitForSelector('#summary:has-text("choose the file mine.csv under Data")');
    expect(await page.textContent('body')).not.toContain('no file system');
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
