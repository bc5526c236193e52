#!/usr/bin/python3
# Writes the binarized 8x8 digits data used by the circuit example and tests.
#
# Source: scikit-learn's bundled copy of the UCI optical handwritten digits test set
# (sklearn.datasets.load_digits: 1797 images of 8x8 pixels, values 0..16).
# Rule: pixel > 7 -> 1, else 0. Columns p00..p63 are the pixels in row-major order
# (pixel index r*8 + c). No label column.
# Split: rows shuffled by numpy.random.RandomState(0).permutation(1797); the first 80%
# (1437 rows) are examples/data/digits-train.csv, the remaining 360 digits-test.csv.
#
# Run from the repository root: /usr/bin/python3 scripts/make-digits.py
import os

import numpy as np
from sklearn.datasets import load_digits

SEED = 0
THRESHOLD = 7
N_TRAIN = 1437


def write(path, rows):
    header = ",".join(f"p{j:02d}" for j in range(rows.shape[1]))
    tmp = path + ".tmp"
    with open(tmp, "w", newline="\n") as f:
        f.write(header + "\n")
        for r in rows:
            f.write(",".join(str(int(v)) for v in r) + "\n")
    os.replace(tmp, path)  # atomic: never a half-written CSV


def main():
    x = load_digits().data
    assert x.shape == (1797, 64), x.shape
    b = (x > THRESHOLD).astype(np.int64)
    perm = np.random.RandomState(SEED).permutation(len(b))
    b = b[perm]
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "data")
    write(os.path.join(out, "digits-train.csv"), b[:N_TRAIN])
    write(os.path.join(out, "digits-test.csv"), b[N_TRAIN:])
    print(f"wrote {N_TRAIN} train and {len(b) - N_TRAIN} test rows to {os.path.normpath(out)}")


if __name__ == "__main__":
    main()
