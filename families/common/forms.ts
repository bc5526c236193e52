// The query forms the circuit-shaped families answer (each family lists its own).
export const TRACTABLE_FORMS: readonly string[] = ['logp', 'p', 'posterior', 'sample', 'mode', 'mean'];
