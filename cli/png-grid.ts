// A grid of grey-scale images as one PNG: what `pmix sample --png` writes for image-shaped
// models (e.g. 8x8 digits). Pure function: samples in, PNG bytes out.
import { PNG } from 'pngjs';

export interface PngGridOptions {
  /** Images per row (default: ceil(sqrt(n))). */
  readonly cols?: number;
  /** Each pixel becomes a scale x scale block (default 4). */
  readonly scale?: number;
  /** Pixels of padding between images and around the grid (default 2). */
  readonly pad?: number;
  /** The value drawn black (default: min(0, smallest value)). */
  readonly min?: number;
  /** The value drawn white (default: max(1, largest value): [0,1] data or levels 0..L-1). */
  readonly max?: number;
  /** Grey level 0..255 of the padding and of missing (NaN) pixels (default 128). */
  readonly padGrey?: number;
}

/** `samples` is n x (h*w), row-major, each image's pixels in row-major order. */
export function pngGrid(samples: Float64Array, n: number, h: number, w: number, opts: PngGridOptions = {}): Buffer {
  for (const [name, v] of [['n', n], ['height', h], ['width', w]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`pngGrid: ${name} must be a positive integer, got ${v}`);
  }
  if (samples.length !== n * h * w) throw new Error(`pngGrid: ${samples.length} values for ${n} images of ${h}x${w}`);
  const cols = Math.min(n, opts.cols ?? Math.ceil(Math.sqrt(n)));
  const scale = opts.scale ?? 4;
  const pad = opts.pad ?? 2;
  const padGrey = opts.padGrey ?? 128;
  if (!Number.isInteger(cols) || cols < 1) throw new Error(`pngGrid: cols must be a positive integer, got ${cols}`);
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`pngGrid: scale must be a positive integer, got ${scale}`);
  if (!Number.isInteger(pad) || pad < 0) throw new Error(`pngGrid: pad must be a non-negative integer, got ${pad}`);
  let lo = opts.min ?? 0;
  let hi = opts.max ?? 1;
  for (const v of samples) {
    if (opts.min === undefined && v < lo) lo = v;
    if (opts.max === undefined && v > hi) hi = v;
  }
  const rows = Math.ceil(n / cols);
  const W = cols * (w * scale + pad) + pad;
  const H = rows * (h * scale + pad) + pad;
  // pngjs packs from RGBA; every channel gets the same grey and the PNG is written as grey.
  const png = new PNG({ width: W, height: H });
  const grey = Buffer.alloc(W * H, padGrey);
  for (let k = 0; k < n; k++) {
    const x0 = pad + (k % cols) * (w * scale + pad);
    const y0 = pad + Math.floor(k / cols) * (h * scale + pad);
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        const v = samples[k * h * w + r * w + c]!;
        const g = Number.isNaN(v) ? padGrey : Math.round((255 * Math.min(hi, Math.max(lo, v)) - 255 * lo) / (hi - lo || 1));
        for (let dy = 0; dy < scale; dy++) grey.fill(g, (y0 + r * scale + dy) * W + x0 + c * scale, (y0 + r * scale + dy) * W + x0 + (c + 1) * scale);
      }
    }
  }
  for (let i = 0; i < W * H; i++) {
    png.data[4 * i] = png.data[4 * i + 1] = png.data[4 * i + 2] = grey[i]!;
    png.data[4 * i + 3] = 255;
  }
  return PNG.sync.write(png, { colorType: 0 });
}

/** Parses "HxW" (e.g. "8x8"); undefined when it is not of that form. */
export function parseImageShape(text: string): { h: number; w: number } | undefined {
  const m = /^\s*(\d+)\s*[xX×]\s*(\d+)\s*$/.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]);
  const w = Number(m[2]);
  return h >= 1 && w >= 1 ? { h, w } : undefined;
}
