// The integral circuits' nets on WebGPU: the dense layers' WGSL, the executor, the host plan
// (groups, packed weights, materialized parameters, gradients) and the state-level wrapper.
export { forwardWgsl, gradWWgsl, gradXWgsl, colSumWgsl, TILE, type NetActivation } from './dense-wgsl.js';
export { NetExecutor, type ExecGroup, type ExecLayer, type LayerWeights } from './exec.js';
export { netPlan, packWeights, materialize, headGradients, scatterGradients, type NetPlan, type PlanGroup, type PlanMember } from './plan.js';
export { DeviceNets, statePlan } from './device-nets.js';
export { enableWebGpuNets, registerNetsDevice } from './enable.js';
