// The WebGPU backend: device acquisition, buffer and pipeline helpers, and the kernels built on them.
export { acquireGpu, releaseGpu, hasDevice, describeAdapter, type GpuAcquisition, type GpuAdapterInfo, type GpuDevice, type GpuMissing } from './device.js';
export { diagnoseLinuxVulkan, type VulkanDiagnosis } from './vulkan-probe.js';
export { USAGE, uploadStorage, storageBuffer, uniformBuffer, writeBuffer, readF32, readU32 } from './buffers.js';
export { computePipeline, cachedPipelines, dispatch, workgroupGrid, type Dispatch } from './pipelines.js';
export { GmmDevice, gmmDeviceDeclines, type GmmIteration } from './gmm-device.js';
export { packParams, statsFromSums, mStep, cholesky, invertLower, columnMeans, type GmmParams, type GmmStats } from './gmm-host.js';
export { estepWgsl, statsWgsl, statEntries, paramStride, REDUCE_WGSL, MAX_D, MAX_K } from './gmm-wgsl.js';
