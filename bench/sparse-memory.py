"""Writes a wide sparse LIBSVM file with scikit-learn's dump_svmlight_file, for bench/sparse-memory.ts.

    python3 bench/sparse-memory.py OUT.svm ROWS FEATURES NONZEROS CLASSES

Each row has NONZEROS uniform random columns of FEATURES (duplicates summed), values uniform in [0, 1); the label is
the argmax of CLASSES random linear scores (a planted linear model), 0-based indices. Seeded (1).
"""
import sys

import numpy as np
import scipy.sparse as sp
from sklearn.datasets import dump_svmlight_file

out, n, d, k, classes = sys.argv[1], *map(int, sys.argv[2:6])
rng = np.random.RandomState(1)
rows = np.repeat(np.arange(n), k)
cols = rng.randint(0, d, size=n * k)
vals = rng.rand(n * k).astype(np.float32)
x = sp.csr_matrix((vals, (rows, cols)), shape=(n, d))
x.sum_duplicates()
w = rng.randn(d, classes).astype(np.float32)
y = np.asarray((x @ w).argmax(axis=1)).ravel()
dump_svmlight_file(x, y, out, zero_based=True)
print(f"wrote {out}: {n} rows x {d} features, {x.nnz} non-zeros, {classes} classes")
