// Small helpers for SVG written as text (no DOM), so the same code runs in Node and browsers.

/** A coordinate rounded to 0.01 px: enough for any screen, short files. */
export const px = (v: number): string => String(Math.round(v * 100) / 100);

/** Text content and attribute values escaped. */
export const esc = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A value for labels: four significant digits, no trailing zeros. */
export const short = (v: number): string => Number(v.toPrecision(4)).toString();

/** The fonts of every text: the first one installed is used (browsers and resvg alike). */
export const FONT = "Inter, 'Helvetica Neue', Arial, 'DejaVu Sans', 'Liberation Sans', sans-serif";

export const COLORS = {
  ink: '#1f2430',
  muted: '#5b6170',
  grid: '#e7e9ee',
  axis: '#9aa0ab',
  line: '#2f5fb3',
  band: '#2f5fb3',
  data: '#c4473a',
  mode: '#c4473a',
} as const;

/** Categorical colours for components (colour-blind-safe, Okabe-Ito order). */
export const PALETTE = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#8c564b', '#332288'] as const;
