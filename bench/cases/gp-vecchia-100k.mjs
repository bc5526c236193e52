// Vecchia GP LML + gradient, N = 100,000, m = 30 (bench/lib/gp-vecchia-case.mjs).
import { gpVecchiaCase } from '../lib/gp-vecchia-case.mjs';

export default gpVecchiaCase(100000, 20000);
