// pmix info: versions, the compute backend (and the WebGPU adapter, or what is missing), the
// tensor backend chosen and why, and the machine.
import { defaultThreads } from '../../runtime/kernels/default-threads.js';
import { fmaAvailable } from '../../runtime/kernels/wasm-features.js';
import { cpus, totalmem } from 'node:os';
import { PMIX_VERSION } from '../../runtime/artifact.js';
import { PmixError } from '../../runtime/errors.js';
import { distributions } from '../../stdlib/distributions/index.js';
import { EXIT_INPUT, EXIT_USAGE, Exit, type Output } from '../io.js';

export async function infoCommand(io: Output, backend?: string): Promise<void> {
  // The backend modules load only here, when info is asked for: not on every pmix start-up.
  const { parseBackend, chooseCompute } = await import('../../runtime/backend/compute.js');
  const { releaseGpu } = await import('../../runtime/webgpu/index.js');
  let compute;
  let req;
  try {
    req = parseBackend(backend ?? process.env.PMIX_BACKEND, backend !== undefined ? '--backend' : 'PMIX_BACKEND');
    compute = await chooseCompute(req);
  } catch (e) {
    if (!(e instanceof PmixError)) throw e;
    io.err(`error: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}`);
    if (io.json) io.out(JSON.stringify({ ok: false, error: e.message }));
    throw new Exit(e.code === 'bad-backend' ? EXIT_USAGE : EXIT_INPUT);
  } finally {
    await releaseGpu();
  }
  const { selectBackend } = await import('../../runtime/backend/select.js');
  const choice = await selectBackend(req.tensor ?? '');
  const adapter = compute.adapter;
  const info = {
    pmix: PMIX_VERSION,
    node: process.version,
    compute: {
      backend: compute.name,
      requested: compute.requested,
      reason: compute.reason,
      ...(adapter ? { adapter: { vendor: adapter.vendor, architecture: adapter.architecture, description: adapter.description, via: adapter.via } } : {}),
      ...(compute.missing ? { missing: compute.missing } : {}),
    },
    backend: choice.name,
    reason: choice.reason,
    skipped: choice.skipped,
    mixture_kernels: `float64 WebAssembly SIMD${fmaAvailable() ? ' with FMA' : ''} (diagonal GMM E-step, circuit sum layers, dense nets, Cholesky; JavaScript where a kernel declines)`,
    threads: defaultThreads(),
    cpus: cpus().length,
    memory_gb: Math.round(totalmem() / 2 ** 30),
    distributions: [...distributions.keys()],
  };
  if (io.json) return io.out(JSON.stringify(info));
  io.out(
    [
      `pmix ${info.pmix} on Node ${info.node}`,
      `compute backend: ${compute.name} (${compute.requested === 'auto' ? 'auto: ' : ''}${compute.reason})`,
      `tensor backend: ${info.backend} (${info.reason})`,
      ...choice.skipped.map((s) => `  skipped ${s.name}: ${s.why}`),
      `mixture kernels: ${info.mixture_kernels}`,
      `threads: ${info.threads} (PMIX_THREADS, else every core) for the threaded kernels`,
      `machine: ${info.cpus} cores, ${info.memory_gb} GiB`,
      `distributions: ${info.distributions.join(', ')}`,
    ].join('\n'),
  );
}
