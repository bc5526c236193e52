// What both API entries (Node: index.ts, browsers: browser.ts) export besides their compile().
export { Model, type FitOptions, type UpdateResult } from './model.js';
export { Program, type RunOptions } from './program.js';
export { PmixInputError } from './errors.js';
export { load } from './load.js';
export { PmixError } from '../runtime/errors.js';
export type { Diagnostic } from '../language/index.js';
export type { QueryAnswer } from '../runtime/queries/answer.js';
export type { FitSummary } from '../session/session.js';
export type { FitProgress, StopReason } from '../runtime/learners/types.js';
export type { Rows, Cell } from '../runtime/data/rows.js';
export type { IRGraph } from '../ir/types.js';
export type { DataTexts } from './csv-text.js';
export type { ModelParams, MixtureParams, ComponentParams, LeafParams, ParamValue } from '../runtime/params-view.js';
export type { GpParams, GpValue } from '../runtime/gp/params-view.js';
export type { GraphParams, GraphNodeParams, GraphParamValue } from '../runtime/graph-params-view.js';
// The compute backend (docs/gpu.md): frees a WebGPU device a fit acquired (so a Node process can exit).
export { releaseGpu } from '../runtime/webgpu/index.js';
export { useWebGpu, useCpu, fitBackend, type GpuChoice } from './gpu.js';
export { queryBackend, DEVICE_QUERY_ROWS, type DeviceQueryOptions, type DeviceQueryChoice } from './log-prob-device.js';
