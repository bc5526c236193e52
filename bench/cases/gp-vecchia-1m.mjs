// Vecchia GP LML + gradient, N = 1,000,000, m = 30 (bench/lib/gp-vecchia-case.mjs).
import { gpVecchiaCase } from '../lib/gp-vecchia-case.mjs';

export default gpVecchiaCase(1000000, 50000);
