# Samples for examples/wave.pmix: x = tanh(2 z) + 0.2 e, z ~ Uniform(-1, 1), e ~ N(0, 1), a
# continuous mixture with a nonlinear map (the integral-circuit example). numpy RandomState(0);
# 2000 training and 1000 test rows.
import numpy as np

rng = np.random.RandomState(0)
for name, n in [("wave-train", 2000), ("wave-test", 1000)]:
    z = rng.uniform(-1, 1, n)
    x = np.tanh(2 * z) + 0.2 * rng.randn(n)
    with open(f"examples/data/{name}.csv", "w") as f:
        f.write("x\n")
        for v in x:
            f.write(f"{v:.6f}\n")
