// Writes a picture where the user asked for it: FILE.svg gets the SVG text, FILE.png a real
// PNG (the SVG rasterized by resvg at twice its size, for sharp text). The rasterizer is
// loaded only when a PNG is asked for, so no other command pays for it.
import { extname } from 'node:path';
import { writeAtomic } from './out-path.js';

/** How many PNG pixels per SVG pixel. */
export const PNG_SCALE = 2;

export type PlotFormat = 'svg' | 'png';

/** The format of a picture path, or a message naming the extension that is not one. */
export function plotFormat(path: string): PlotFormat | { readonly error: string } {
  const ext = extname(path).toLowerCase();
  if (ext === '.svg') return 'svg';
  if (ext === '.png') return 'png';
  return { error: `cannot write a picture to '${path}': ${ext ? `'${ext}' is not a picture format pmix writes` : 'the file name has no extension'} (give a .svg or .png file)` };
}

/** SVG text to PNG bytes (system fonts). Throws a user message when the rasterizer cannot load. */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  let Resvg: typeof import('@resvg/resvg-js').Resvg;
  try {
    ({ Resvg } = await import('@resvg/resvg-js'));
  } catch (e) {
    throw new Error(`cannot write PNG: the SVG rasterizer (@resvg/resvg-js) has no build for this platform (${process.platform}-${process.arch}): write a .svg file instead (${(e as Error).message.split('\n')[0]})`);
  }
  const r = new Resvg(svg, { fitTo: { mode: 'zoom', value: PNG_SCALE }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, background: '#ffffff' });
  return r.render().asPng();
}

/** Writes the picture atomically in the format the path names (checked by plotFormat first). */
export async function writePlot(path: string, svg: string): Promise<void> {
  const format = plotFormat(path);
  if (typeof format !== 'string') throw new Error(format.error);
  writeAtomic(path, format === 'png' ? await svgToPng(svg) : svg);
}
