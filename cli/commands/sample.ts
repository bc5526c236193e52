// pmix sample MODEL.json -n N [--seed S] [--png FILE [--image HxW]]: N draws as CSV on stdout
// (or JSON rows with --json); --png also draws them as a grid of grey-scale images.
import { answerJson } from '../json-names.js';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { answerSpec } from '../../session/answer-query.js';
import type { ModelState } from '../../runtime/state.js';
import { formatAnswer } from '../../api/index.js';
import { guard } from '../guard.js';
import { EXIT_INPUT, EXIT_USAGE, Exit, jsonText, type Output } from '../io.js';
import { loadArtifact } from '../load.js';
import { parseImageShape, pngGrid } from '../png-grid.js';

export interface SampleOptions {
  readonly n: number;
  readonly seed: number;
  /** Write the samples as a PNG grid of images here. */
  readonly png?: string;
  /** Image shape "HxW" (default: square, when the number of variables is a square). */
  readonly image?: string;
}

export function sampleCommand(modelPath: string, opts: SampleOptions, io: Output): void {
  const { state } = loadArtifact(modelPath, io);
  // Check the image shape before sampling, so a wrong shape fails fast.
  const shape = opts.png !== undefined ? imageShape(state, opts.image, io) : undefined;
  const spec = { kind: 'sample', form: 'sample', count: { value: opts.n }, args: [{ name: 'seed', value: opts.seed }], given: [] } as const;
  const answer = guard(() => answerSpec(state, spec, '<sample>'), new Map(), io);
  if (shape && opts.png !== undefined && answer.kind === 'sample') writePng(opts.png, state, answer.rows, shape, io);
  io.out(io.json ? jsonText(answerJson(answer)) : formatAnswer(answer));
}

function imageShape(state: ModelState, image: string | undefined, io: Output): { h: number; w: number } {
  const V = state.graph.vars.length;
  const usage = (msg: string): never => {
    io.err(`error: ${msg}`);
    throw new Exit(EXIT_USAGE);
  };
  const notImage = imageRefusal(state, image !== undefined);
  if (notImage) usage(notImage);
  if (image === undefined) {
    const s = Math.round(Math.sqrt(V));
    if (s * s !== V) usage(`--png: the model has ${V} variables, not a square number: give the image shape with --image HxW (H x W = ${V})`);
    return { h: s, w: s };
  }
  const shape = parseImageShape(image) ?? usage(`--image '${image}' is not of the form HxW, e.g. 8x8`);
  if (shape.h * shape.w !== V) usage(`--image ${shape.h}x${shape.w} has ${shape.h * shape.w} pixels but the model has ${V} variables`);
  return shape;
}

/**
 * Why the model's samples are not images, if they are not: pixels are variables of one kind
 * (all bool, all int, or all categorical with the same levels); real variables only when the
 * user states the shape with --image (pixel intensities), since columns such as lengths and
 * masses are real too and would draw a meaningless picture.
 */
function imageRefusal(state: ModelState, shapeGiven: boolean): string | undefined {
  const vars = state.graph.vars;
  const kinds = new Set(vars.map((v) => v.type.kind));
  const levels = new Set(vars.map((v) => (v.type.kind === 'categorical' ? v.type.levels.join('\u0000') : '')));
  const listed = vars.slice(0, 6).map((v) => `${v.name}: ${v.type.kind}`).join(', ') + (vars.length > 6 ? `, ... (${vars.length} in all)` : '');
  const need = '--png draws samples of image models, whose variables are the pixels of an image in row-major order, all of one kind (bool, int, or categorical with the same levels)';
  if (kinds.size > 1 || levels.size > 1) return `${need}; this model's variables are not (${listed}): leave out --png, or plot the density with :plot in pmix repl`;
  if (kinds.has('real') && !shapeGiven) return `${need}; this model's variables are real (${listed}): if they are pixel intensities, give the image shape with --image HxW`;
  return undefined;
}

/** Cells to grey values: numbers as they are, booleans 0/1, categorical levels by position. */
function writePng(path: string, state: ModelState, rows: readonly (readonly (number | string | boolean | null)[])[], shape: { h: number; w: number }, io: Output): void {
  const vars = state.graph.vars;
  const V = vars.length;
  const x = new Float64Array(rows.length * V);
  rows.forEach((row, i) =>
    row.forEach((c, j) => {
      const t = vars[j]!.type;
      x[i * V + j] = typeof c === 'number' ? c : typeof c === 'boolean' ? Number(c) : c === null ? NaN : t.kind === 'categorical' ? t.levels.indexOf(c) : Number(c);
    }),
  );
  // All-discrete models: black is the first level, white the last, whatever was drawn.
  const discrete = vars.every((v) => v.type.kind === 'bool' || v.type.kind === 'categorical');
  const top = Math.max(1, ...vars.map((v) => (v.type.kind === 'categorical' ? v.type.levels.length - 1 : 1)));
  const bytes = pngGrid(x, rows.length, shape.h, shape.w, discrete ? { min: 0, max: top } : {});
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path); // atomic, as writeAtomic in ../io.ts (which takes text only)
  } catch (e) {
    rmSync(tmp, { force: true });
    io.err(`error: cannot write PNG '${path}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message}`);
    throw new Exit(EXIT_INPUT);
  }
  if (!io.json) io.err(`wrote ${rows.length} samples as ${shape.h}x${shape.w} images to ${path}`);
}
