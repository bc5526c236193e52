// Exact GP LML + gradient, N = 5000 (bench/lib/gp-exact-case.mjs).
import { gpExactCase } from '../lib/gp-exact-case.mjs';

export default gpExactCase(5000, 1500);
