// Exact GP LML + gradient, N = 500 (bench/lib/gp-exact-case.mjs).
import { gpExactCase } from '../lib/gp-exact-case.mjs';

export default gpExactCase(500, 300);
