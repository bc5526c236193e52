# Reference chi-square quantiles for test/runtime/learners/incremental-gmm.test.ts (scipy).
# Run: /usr/bin/python3 scripts/make-chi2-references.py
from scipy.stats import chi2

for p, d in [(0.999, 1), (0.999, 2), (0.999, 8), (0.999, 16), (0.95, 1), (0.5, 3), (0.9999, 32), (0.01, 5)]:
    print(f"  [{p}, {d}, {chi2.ppf(p, d)!r}],")
