// Circuits on WebGPU: the device layout of a folded circuit, its WGSL program, the host side
// (packed parameters, M-step from device statistics) and the executor.
export { circuitPlan, unsupported as deviceCircuitProblem, LOG_ZERO, ZERO_BELOW, type CircuitPlan } from './plan.js';
export { deviceProgram, type DeviceProgram, type Kernel } from './program.js';
export { packParams, mStepFromStats, edgeCounts, type MStepSettings } from './params.js';
export { CircuitExecutor, type DeviceRows } from './exec.js';
export { DeviceCircuit, batchRows, toLogLikelihoods, DEFAULT_BATCH } from './device-circuit.js';
export { enableWebGpuCircuits, registerCircuitDevice, circuitDeviceTakes } from './enable.js';
