// pmix info: versions, the tensor backend chosen and why, and the machine.
import { cpus, totalmem } from 'node:os';
import { PMIX_VERSION } from '../../runtime/artifact.js';
import { distributions } from '../../stdlib/distributions/index.js';
import type { Output } from '../io.js';

export async function infoCommand(io: Output, backend?: string): Promise<void> {
  // TensorFlow.js loads only here, when info is asked for: not on every pmix start-up.
  const { selectBackend } = await import('../../runtime/backend/select.js');
  const choice = await selectBackend(backend);
  const info = {
    pmix: PMIX_VERSION,
    node: process.version,
    backend: choice.name,
    reason: choice.reason,
    skipped: choice.skipped,
    mixture_kernels: 'float64 JavaScript (fused E/M-step loops)',
    cpus: cpus().length,
    memory_gb: Math.round(totalmem() / 2 ** 30),
    distributions: [...distributions.keys()],
  };
  if (io.json) return io.out(JSON.stringify(info));
  io.out(
    [
      `pmix ${info.pmix} on Node ${info.node}`,
      `tensor backend: ${info.backend} (${info.reason})`,
      ...choice.skipped.map((s) => `  skipped ${s.name}: ${s.why}`),
      `mixture kernels: ${info.mixture_kernels}`,
      `machine: ${info.cpus} cores, ${info.memory_gb} GiB`,
      `distributions: ${info.distributions.join(', ')}`,
    ].join('\n'),
  );
}
