// Loading a saved model artifact; shared by the Node and browser entries.
import { readArtifact } from '../session/load-artifact.js';
import { ModelState } from '../runtime/state.js';
import { Model } from './model.js';

/** Loads a model artifact (the text `model.save()` or `pmix fit` wrote, or its parsed JSON). */
export function load(artifact: string | object): Model {
  const text = typeof artifact === 'string' ? artifact : JSON.stringify(artifact);
  const a = readArtifact(text);
  return new Model(a.model, undefined, new ModelState(a.ir));
}
