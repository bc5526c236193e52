// The REPL's completion words, read from the registries (so a new leaf, kernel, query form,
// fit method, region graph or quadrature rule completes without an edit here): the language's
// keywords and query forms, leaf distributions and their variants, GP kernels, fit methods,
// region graphs and quadrature rules.
import { QUERY_FORMS, RESERVED_WORDS } from '../../language/index.js';
import { distributions } from '../../stdlib/distributions/index.js';
import { USER_KERNELS } from '../../stdlib/kernels/index.js';
import { FIT_METHODS } from '../../compiler/fit-settings.js';
import { REGION_GRAPHS } from '../../compiler/circuit-spec.js';
import { RULES } from '../../compiler/lower-integral.js';

export function registryWords(): string[] {
  const leaves = [...distributions].flatMap(([name, f]) => [name, ...f.variants]);
  return [...new Set([...RESERVED_WORDS, ...QUERY_FORMS, ...leaves, ...USER_KERNELS, ...FIT_METHODS, ...REGION_GRAPHS, ...Object.keys(RULES)])];
}
