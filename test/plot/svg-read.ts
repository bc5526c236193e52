// Reading back what the plot module wrote (test helpers): tick labels with their positions,
// circles, a path's points, the frame's plot area.

export interface Label {
  readonly x: number;
  readonly y: number;
  readonly text: string;
}

/** The tick labels of one axis ('x-ticks' or 'y-ticks'), numbers parsed (d3 writes a true minus). */
export function tickLabels(svg: string, axis: 'x-ticks' | 'y-ticks'): (Label & { value: number })[] {
  const group = new RegExp(`<g class="${axis}">(.*?)</g>`).exec(svg)?.[1] ?? '';
  return [...group.matchAll(/<text x="([-\d.]+)" y="([-\d.]+)"[^>]*>([^<]*)<\/text>/g)].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
    text: m[3]!,
    value: Number(m[3]!.replace('\u2212', '-')),
  }));
}

export function circles(svg: string): { cx: number; cy: number }[] {
  return [...svg.matchAll(/<circle cx="([-\d.]+)" cy="([-\d.]+)"/g)].map((m) => ({ cx: Number(m[1]), cy: Number(m[2]) }));
}

/** The plot area: the clip rectangle. */
export function plotArea(svg: string): { left: number; top: number; right: number; bottom: number } {
  const m = /<clipPath id="[^"]+"><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"\/>/.exec(svg);
  if (!m) throw new Error('no clip rectangle');
  const [x, y, w, h] = m.slice(1).map(Number) as [number, number, number, number];
  return { left: x, top: y, right: x + w, bottom: y + h };
}

/** The points of the first path with this class (M/L commands only). */
export function pathPoints(svg: string, cls: string): [number, number][] {
  const d = new RegExp(`<path class="${cls}" d="([^"]*)"`).exec(svg)?.[1] ?? '';
  return [...d.matchAll(/[ML]([-\d.]+),([-\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

/** Whether v is a round tick value: an integer multiple of 1, 2 or 5 times a power of ten. */
export function isRound(v: number, step: number): boolean {
  const k = v / step;
  return Math.abs(k - Math.round(k)) < 1e-6 + 1e-9 * Math.abs(k);
}

/** Every point the marks inside the frame's layer group use: path vertices and circle centres. */
export function layerPoints(svg: string): [number, number][] {
  const start = svg.indexOf('<g class="layers"');
  const group = svg.slice(start, svg.indexOf('<g class="axes"', start));
  const fromPaths = [...group.matchAll(/ d="([^"]*)"/g)].flatMap((m) => [...m[1]!.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((p) => [Number(p[1]), Number(p[2])] as [number, number]));
  return [...fromPaths, ...circles(group).map((c) => [c.cx, c.cy] as [number, number])];
}

/** Whether every mark of the frame's layers lies in its plot area (to 0.01 px). */
export function outsideArea(svg: string): [number, number][] {
  const a = plotArea(svg);
  return layerPoints(svg).filter(([x, y]) => x < a.left - 0.01 || x > a.right + 0.01 || y < a.top - 0.01 || y > a.bottom + 0.01);
}
