// One plotting module for every picture pmix draws (the CLI, the REPL, the families'
// pictures and the playground): frames with real ticks (d3-scale), marks as SVG text.
export { makeFrame, renderFrame, type AxisSpec, type Frame, type FrameSpec } from './frame.js';
export { isolineLayer } from './isoline.js';
export { areaPath, bandPath, cellCentres, densityLayer, linePath, pointsLayer, rugLayer, tileLayer, type FixedScale, type PointStyle } from './layers.js';
export { curveGrid, dataResolution, paddedRange } from './sampling.js';
export { COLORS, esc, FONT, PALETTE, px, short } from './svg-text.js';
export { density1dSvg, density2dSvg, regressionSvg, type Density1D, type Density2D, type Marker, type Regression } from './pictures.js';
