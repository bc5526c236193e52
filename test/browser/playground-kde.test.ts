// The playground runs examples/faithful.pmix (a KDE): fit, modes(), a plot. Built with Vite,
// served, driven in headless Debian Chromium (playwright-core) like playground.test.ts: the
// CSV is given through the page's file input; the answers must equal the Node API's, the two
// modes must be Old Faithful's (docs/kde.md), and the plot must draw the density and axes.
// A screenshot is kept under test-artifacts/. Skipped (with a message) where /usr/bin/chromium is absent.
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
const EXAMPLE = join(REPO, 'examples/faithful.pmix');
const CSV = join(REPO, 'examples/data/faithful.csv');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`browser tests skipped: ${CHROMIUM} not found (apt-get install chromium; .ci/run does)`);

describe.skipIf(!hasChromium)('playground with a KDE (examples/faithful.pmix) in headless Chromium', () => {
  let tmp: string;
  let server: { url: string; close: () => Promise<void> };
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'pmix-playground-kde-'));
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
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('fits the KDE, answers modes() with the two modes of Old Faithful (as in Node), and plots the density', async () => {
    const text = readFileSync(EXAMPLE, 'utf8');
    await page.setInputFiles('#csv-file', CSV);
    await page.waitForSelector('#data-status:has-text("faithful.csv")');
    await page.fill('#source', text);
    await page.waitForSelector('#diagnostics:has-text("no problems")');
    await page.click('#fit');
    const summary = await page.waitForSelector('#summary[data-mean-log-likelihood]', { timeout: 60_000 });
    const node = compile(text, { file: EXAMPLE }).run();
    expect(Number(await summary.getAttribute('data-mean-log-likelihood'))).toBeCloseTo(node.fits[0]!.mean_log_likelihood, 9);
    expect(await page.textContent('#summary')).toContain('bandwidth: full matrix H = ');

    // modes(): the same table as Node, and the two modes of docs/kde.md (eruptions, waiting, mass)
    const modes = node.queries.find((q) => q.query === 'modes()')!;
    const answers = (await page.textContent('#answers')) ?? '';
    expect(answers).toContain(`query K: modes()\n${formatAnswer(modes.answer)}`);
    const table = answers.slice(answers.indexOf('query K: modes()')).split('\n').slice(2, 4).map((l) => l.split(',').map(Number));
    expect(table[0]![0]).toBeCloseTo(4.354, 3);
    expect(table[0]![1]).toBeCloseTo(80.58, 2);
    expect(table[0]![2]).toBeCloseTo(0.643, 3);
    expect(table[1]![0]).toBeCloseTo(1.978, 3);
    expect(table[1]![1]).toBeCloseTo(55.82, 2);
    expect(table[1]![2]).toBeCloseTo(0.357, 3);

    // the plot: an svg with a density (contour bands, issue 19: merged paths, no cells), the 272 rows, the two modes, and non-empty paths
    await page.waitForSelector('#plot svg');
    expect(await page.locator('#plot svg circle').count()).toBe(272);
    expect(await page.locator('#plot svg .density path').count()).toBeGreaterThan(3);
    expect(await page.locator('#plot svg .density rect').count()).toBe(0);
    expect(await page.locator('#plot svg .markers path.marker').count()).toBe(2);
    const paths = await page.locator('#plot svg path').evaluateAll((ps) => ps.map((p) => p.getAttribute('d') ?? ''));
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.every((d) => d.length > 0)).toBe(true);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'playground-kde.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
