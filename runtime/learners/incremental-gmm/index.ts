// The incremental Gaussian mixture (docs/fitting.md, "incremental").
export { incrementalSteps, type IncrementalFitted } from './learner.js';
export { incrementalShape } from './shape.js';
export { incrementalDetails } from './details.js';
export { Component, inverseAndLogDet } from './component.js';
export { IncrementalMixture, mergeGain, mergedComponent, type IncrementalOptions, type IncrementalReport } from './mixture.js';
export { chiSquareQuantile } from './chi-square.js';
