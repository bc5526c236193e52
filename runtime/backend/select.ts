// Chooses the tensor backend at start-up, best first: the native binding (tfjs-node, an
// optional dependency), then WebAssembly (installs everywhere, offline), then plain JS.
// PMIX_BACKEND or --backend overrides (the compute names of compute.ts: cpu picks the plain
// JS backend, auto and webgpu leave the order as it is). Any error while loading one falls through to the next:
// a broken tfjs-node install throws something other than MODULE_NOT_FOUND.
import * as tf from '@tensorflow/tfjs-core';

export const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface BackendChoice {
  readonly name: BackendName;
  readonly reason: string;
  /** Backends tried before it and why each was passed over. */
  readonly skipped: readonly { readonly name: BackendName; readonly why: string }[];
}

const loaders: Record<BackendName, () => Promise<unknown>> = {
  tensorflow: () => import('@tensorflow/tfjs-node' as string),
  wasm: () => import('@tensorflow/tfjs-backend-wasm'),
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
};

let chosen: Promise<BackendChoice> | undefined;

export function selectBackend(requested = process.env.PMIX_BACKEND): Promise<BackendChoice> {
  chosen ??= choose(requested);
  return chosen;
}

async function choose(asked: string | undefined): Promise<BackendChoice> {
  // The compute backend's names (compute.ts) share PMIX_BACKEND: auto and webgpu say nothing about TensorFlow.js.
  const requested = asked === 'auto' || asked === 'webgpu' ? undefined : asked;
  if (requested !== undefined && requested !== '' && !BACKENDS.includes(requested as BackendName)) {
    throw new Error(`unknown backend '${requested}' (choose one of ${BACKENDS.join(', ')})`);
  }
  const order: BackendName[] = requested ? [requested as BackendName] : [...BACKENDS];
  const skipped: { name: BackendName; why: string }[] = [];
  for (const name of order) {
    try {
      await loaders[name]();
      if (!(await tf.setBackend(name))) throw new Error('setBackend refused it');
      await tf.ready();
      const reason = requested
        ? `requested${process.env.PMIX_BACKEND === requested ? ' by PMIX_BACKEND' : ''}`
        : name === 'tensorflow'
          ? 'the native binding @tensorflow/tfjs-node is installed'
          : name === 'wasm'
            ? 'the native binding is not installed; WebAssembly is the embedded default'
            : 'neither the native binding nor WebAssembly could be loaded';
      return { name, reason, skipped };
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      skipped.push({ name, why: err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'MODULE_NOT_FOUND' ? 'not installed' : `failed to load: ${err.message.split('\n')[0]}` });
    }
  }
  throw new Error(`no tensor backend could be loaded (${skipped.map((s) => `${s.name}: ${s.why}`).join('; ')})`);
}
