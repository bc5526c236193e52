// Output files of the `pmix` command (built dist/cli/main.js): --out is checked before any work
// (never over an input of the run, a symbolic link, a device, a directory or into a missing
// directory), stale temporary files of killed writes are removed, and --reproducible /
// SOURCE_DATE_EPOCH give byte-identical artifacts.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/programs.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'dist/cli/main.js');

function pmix(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: opts.cwd ?? root, encoding: 'utf8', env: { ...process.env, PMIX_BACKEND: '', SOURCE_DATE_EPOCH: '', ...opts.env } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** A small mixture program and its data in a fresh directory. */
function project(): { dir: string; model: string; data: string } {
  const dir = tempDir();
  const data = join(dir, 'good.csv');
  const rows = ['x,y'];
  for (let i = 0; i < 60; i++) rows.push(`${(i % 2 ? 3 : -3) + Math.sin(i)},${Math.cos(i * 1.7)}`);
  writeFileSync(data, rows.join('\n') + '\n');
  const model = join(dir, 'm.pmix');
  writeFileSync(model, 'data d from "good.csv" { x: real, y: real }\nmodel M = mixture(k = 2) of Normal(diag)\nfit M on d by em(seed = 1)\n');
  return { dir, model, data };
}

describe('pmix fit --out', () => {
  it('refuses to overwrite the training data or the model source, before fitting (exit 2); --force allows it', () => {
    const { model, data } = project();
    const before = readFileSync(data, 'utf8');
    const r = pmix(['fit', model, '--out', data, '--no-progress']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`error: --out '${data}': it is an input of this run ('${data}')`);
    expect(r.out).toBe(''); // no fit summary: nothing ran
    expect(readFileSync(data, 'utf8')).toBe(before);
    const src = readFileSync(model, 'utf8');
    const m = pmix(['fit', model, '--out', model, '--no-progress']);
    expect(m.code).toBe(2);
    expect(m.err).toContain('it is an input of this run');
    expect(readFileSync(model, 'utf8')).toBe(src);
    const forced = pmix(['fit', model, '--out', data, '--no-progress', '--force']);
    expect(forced.code).toBe(0);
    expect(JSON.parse(readFileSync(data, 'utf8')).format).toBe('pmix-model');
  });

  it('refuses a symbolic link (the link would be replaced); --force writes to its target and keeps the link', () => {
    const { dir, model } = project();
    const target = join(dir, 'real.json');
    writeFileSync(target, 'old');
    const link = join(dir, 'link.json');
    symlinkSync(target, link);
    const r = pmix(['fit', model, '--out', link, '--no-progress']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('it is a symbolic link');
    expect(readFileSync(target, 'utf8')).toBe('old');
    const f = pmix(['fit', model, '--out', link, '--no-progress', '--force']);
    expect(f.code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
    expect(JSON.parse(readFileSync(target, 'utf8')).format).toBe('pmix-model');
  });

  it('refuses a FIFO or device (an atomic rename would replace the node), even with --force', () => {
    // A FIFO in a temp directory stands for /dev/full: were the check to regress, the test would
    // replace its own FIFO, not a device node of the machine.
    const { dir, model } = project();
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    for (const force of [[], ['--force']]) {
      const r = pmix(['fit', model, '--out', fifo, '--no-progress', ...force]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`--out '${fifo}': it is not a regular file (a FIFO)`);
      expect(lstatSync(fifo).isFIFO()).toBe(true);
    }
  });

  it('a missing directory or a directory as --out is a usage error before the fit, not an internal error', () => {
    const { dir, model } = project();
    const missing = join(dir, 'no', 'such', 'm.json');
    const r = pmix(['fit', model, '--out', missing, '--no-progress']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`the directory '${join(dir, 'no', 'such')}' does not exist`);
    expect(r.err).not.toContain('internal error');
    expect(r.out).toBe('');
    const d = pmix(['fit', model, '--out', dir, '--no-progress']);
    expect(d.code).toBe(2);
    expect(d.err).toContain('it is a directory');
    const underFile = pmix(['fit', model, '--out', join(model, 'x.json'), '--no-progress']);
    expect(underFile.code).toBe(2);
    expect(underFile.err).not.toContain('internal error');
  });

  it('removes temporary files of a killed write (dead PID) on the next write, keeps a live one', () => {
    const { dir, model } = project();
    const out = join(dir, 'model.json');
    // A PID that surely ran and ended: a child process that has exited.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const stale = join(dir, `.model.json.${dead}.tmp`);
    const live = join(dir, `.model.json.${process.pid}.tmp`);
    const other = join(dir, `.other.json.${dead}.tmp`);
    for (const f of [stale, live, other]) writeFileSync(f, 'partial');
    expect(pmix(['fit', model, '--out', out, '--no-progress']).code).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(other)).toBe(true);
    expect(readdirSync(dir).filter((n) => n.startsWith('.model.json.'))).toEqual([`.model.json.${process.pid}.tmp`]);
  });
});

describe('pmix predict and plot --out (GP)', () => {
  const dir = tempDir();
  const model = join(dir, 'toy.json');
  const fit = pmix(['fit', 'examples/gp-toy.pmix', '--out', model, '--no-progress']);
  const input = join(dir, 'new.csv');
  writeFileSync(input, 'x\n0\n5\n');

  it('predict refuses a missing directory, a directory and its own inputs (exit 2), before predicting', () => {
    expect(fit.code).toBe(0);
    const missing = pmix(['predict', model, '--data', input, '--out', join(dir, 'nope', 'p.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('does not exist');
    expect(missing.err).not.toContain('internal error');
    expect(pmix(['predict', model, '--data', input, '--out', dir]).err).toContain('it is a directory');
    const over = pmix(['predict', model, '--data', input, '--out', input]);
    expect(over.code).toBe(2);
    expect(over.err).toContain('it is an input of this run');
    expect(readFileSync(input, 'utf8')).toBe('x\n0\n5\n');
    expect(pmix(['predict', model, '--data', input, '--out', model]).code).toBe(2);
    expect(JSON.parse(readFileSync(model, 'utf8')).format).toBe('pmix-model');
  });

  it('plot refuses a missing directory and its model (exit 2)', () => {
    expect(fit.code).toBe(0);
    const missing = pmix(['plot', model, '--out', join(dir, 'nope', 'p.svg')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('does not exist');
    expect(pmix(['plot', model, '--out', model]).code).toBe(2);
    expect(JSON.parse(readFileSync(model, 'utf8')).format).toBe('pmix-model');
  });

  it('the predict query --json carries lower95 and upper95 (mean -/+ 1.96 sd), as its text does', () => {
    expect(fit.code).toBe(0);
    const q = pmix(['query', model, 'predict(x = [0, 5])', '--json']);
    expect(q.code).toBe(0);
    const rows = JSON.parse(q.out).answer.rows as { mean: number; sd: number; lower95: number; upper95: number }[];
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.lower95).toBeCloseTo(r.mean - 1.96 * r.sd, 12);
      expect(r.upper95).toBeCloseTo(r.mean + 1.96 * r.sd, 12);
    }
    const text = pmix(['query', model, 'predict(x = 5)']).out;
    const cells = text.trim().split('\n')[1]!.trim().split(/\s+/).map(Number);
    expect(cells[3]).toBeCloseTo(rows[1]!.lower95, 4);
    expect(cells[4]).toBeCloseTo(rows[1]!.upper95, 4);
  });
});

describe('reproducible artifacts', () => {
  it('two identical fits with --reproducible give identical bytes, from different working directories', () => {
    const { dir, model } = project();
    mkdirSync(join(dir, 'out'));
    const a = join(dir, 'out', 'a.json');
    const b = join(dir, 'out', 'b.json');
    expect(pmix(['fit', model, '--out', a, '--no-progress', '--reproducible']).code).toBe(0);
    // The same fit typed with relative paths from the project directory.
    expect(pmix(['fit', 'm.pmix', '--out', 'out/b.json', '--no-progress', '--reproducible'], { cwd: dir }).code).toBe(0);
    const ta = readFileSync(a);
    expect(ta.equals(readFileSync(b))).toBe(true);
    const prov = JSON.parse(ta.toString('utf8')).provenance;
    expect(prov.created).toBe('1970-01-01T00:00:00.000Z');
    // Paths relative to the artifact's directory.
    expect(prov.source_file).toBe('../m.pmix');
    expect(prov.data.path).toBe('../good.csv');
  });

  it('honours SOURCE_DATE_EPOCH and refuses a malformed one', () => {
    const { dir, model } = project();
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    const env = { SOURCE_DATE_EPOCH: '1700000000' };
    expect(pmix(['fit', model, '--out', a, '--no-progress'], { env }).code).toBe(0);
    expect(pmix(['fit', model, '--out', b, '--no-progress'], { env }).code).toBe(0);
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
    expect(JSON.parse(readFileSync(a, 'utf8')).provenance.created).toBe(new Date(1700000000 * 1000).toISOString());
    const bad = pmix(['fit', model, '--out', join(dir, 'c.json'), '--no-progress'], { env: { SOURCE_DATE_EPOCH: 'yesterday' } });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("SOURCE_DATE_EPOCH must be a whole number of seconds");
    expect(existsSync(join(dir, 'c.json'))).toBe(false);
  });
});
