// log P(X = x) of a Poisson(rate) without cancellation. The textbook x log r - r - lgamma(x + 1)
// subtracts terms of size x log x: at x ~ r ~ 1e15 that loses 2 of the answer's 3 significant
// digits (-16 for -18.19) and at 1e300 all of them. Loader's saddle-point form (C. Loader, "Fast
// and accurate computation of binomial probabilities", 2000; R's dpois_raw) keeps full precision:
//   log p = -stirlerr(x) - bd0(x, r) - log(2 pi x) / 2,
// with stirlerr the error of Stirling's formula and bd0(x, r) = x log(x / r) + r - x summed
// without cancellation when x is near r.

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** log(x!) - [(x + 1/2) log x - x + log sqrt(2 pi)]: lgamma for small x, the Stirling series beyond. */
function stirlerr(x: number, lgamma: (v: number) => number): number {
  if (x <= 15) return lgamma(x + 1) - (x + 0.5) * Math.log(x) + x - LOG_SQRT_2PI;
  const S0 = 1 / 12;
  const S1 = 1 / 360;
  const S2 = 1 / 1260;
  const S3 = 1 / 1680;
  const S4 = 1 / 1188;
  const xx = x * x;
  if (x > 500) return (S0 - S1 / xx) / x;
  if (x > 80) return (S0 - (S1 - S2 / xx) / xx) / x;
  if (x > 35) return (S0 - (S1 - (S2 - S3 / xx) / xx) / xx) / x;
  return (S0 - (S1 - (S2 - (S3 - S4 / xx) / xx) / xx) / xx) / x;
}

/** x log(x / r) + r - x, by a series in v = (x - r) / (x + r) when x is near r. */
function bd0(x: number, r: number): number {
  if (Math.abs(x - r) < 0.1 * (x + r)) {
    let v = (x - r) / (x + r);
    let s = (x - r) * v;
    let ej = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const s1 = s + ej / (2 * j + 1);
      if (s1 === s) return s1;
      s = s1;
    }
    return s;
  }
  return x * Math.log(x / r) + r - x;
}

/** log P(X = x) for a whole count x >= 0 and rate r > 0. */
export function poissonLogPmf(x: number, r: number, lgamma: (v: number) => number): number {
  if (x === 0) return -r;
  if (!Number.isFinite(r)) return -Infinity;
  return -stirlerr(x, lgamma) - bd0(x, r) - LOG_SQRT_2PI - 0.5 * Math.log(x);
}
