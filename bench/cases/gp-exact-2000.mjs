// Exact GP LML + gradient, N = 2000 (bench/lib/gp-exact-case.mjs).
import { gpExactCase } from '../lib/gp-exact-case.mjs';

export default gpExactCase(2000, 800);
