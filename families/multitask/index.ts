// The cluster-specific multitask GP in the language: `experts(t -> y) { task = id; k = 3 }` (docs/experts.md).
export { multitaskFamily } from './family.js';
export { VemRun, fittedFrom, HYPER, type Task } from './vem.js';
export { predictTask, type TaskPrediction } from './predict.js';
export { fitMultitask, predictNewTask, type MultitaskFit, type MultitaskOptions, type MultitaskPrediction } from './library.js';
