// The fused float64 forward pass agrees with the TensorFlow.js reference (float32, on the
// backend pmix selects: wasm here, the native binding where installed).
import { beforeAll, describe, expect, it } from 'vitest';
import { forwardTf } from '../../../runtime/backend/tfjs-forward.js';
import { selectBackend } from '../../../runtime/backend/select.js';
import { logDensityRows } from '../../../runtime/evaluate.js';
import { Rng } from '../../../stdlib/random.js';
import { modelState } from '../../helpers/programs.js';

describe('tfjs reference forward pass', () => {
  let backend = '';
  beforeAll(async () => {
    backend = (await selectBackend()).name;
  });

  it('matches the float64 kernels on a nested mixture with products and missing cells', () => {
    expect(['tensorflow', 'wasm', 'cpu']).toContain(backend);
    const s = modelState(
      `model M(x, y, c) = mixture(weights = [0.3, 0.7]) {
        mixture(weights = [0.5, 0.5]) { product { (x, y): Normal(mean = [0, 1], cov = [[1, 0.2], [0.2, 2]]), c: Poisson(rate = 2) },
                                        product { (x, y): Normal(mean = [1, 0], cov = [[0.5, 0], [0, 0.5]]), c: Poisson(rate = 7) } },
        product { x: Laplace(loc = 2, scale = 1), y: StudentT(df = 4, loc = 0, scale = 2), c: Poisson(rate = 4) } }`,
      'M',
    );
    const rng = new Rng(3);
    const n = 200;
    const x = new Float64Array(n * 3);
    for (let i = 0; i < n; i++) {
      x[3 * i] = rng.uniform() < 0.1 ? NaN : 3 * rng.normal();
      x[3 * i + 1] = 2 * rng.normal();
      x[3 * i + 2] = rng.uniform() < 0.1 ? NaN : rng.poisson(4);
    }
    const ref = forwardTf(s, x, n);
    const fused = logDensityRows(s, x, n);
    for (let i = 0; i < n; i++) expect(ref[i]).toBeCloseTo(fused[i]!, 3);
  });
});
