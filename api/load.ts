// Loading a saved model artifact; shared by the Node and browser entries.
import { readArtifact } from '../session/load-artifact.js';
import { ModelState } from '../runtime/state.js';
import { Model } from './model.js';

/** Loads a model artifact (the text `model.save()` or `pmix fit` wrote, or its parsed JSON). */
export function load(artifact: string | object, opts: { readonly from?: string } = {}): Model {
  const text = typeof artifact === 'string' ? artifact : JSON.stringify(artifact);
  const a = readArtifact(text);
  // `from`: how a warm-started fit's summary names the artifact (continued from ...).
  return new Model(a.model, undefined, new ModelState(a.ir), new Map(), { from: opts.from ?? `the artifact of '${a.model}'`, ...(a.provenance.fit ? { settings: a.provenance.fit } : {}), ...(a.provenance.data ? { rows: a.provenance.data.rows } : {}) });
}
