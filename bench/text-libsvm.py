"""Writes the SpamAssassin split as LIBSVM files with scikit-learn's dump_svmlight_file, for bench/text.ts.

    python3 bench/text-libsvm.py TRAIN.csv TEST.csv TRAIN.svm TEST.svm

TfidfVectorizer with its defaults (lower-cased, tokens of 2+ word characters, l2-normalised TF-IDF), fitted on the
training split only, so the test file uses the same columns; labels 1 spam, 0 ham; 1-based indices as LIBLINEAR
expects (zero_based=False). Prints one line with the shapes and non-zeros. Debian: apt-get install python3-sklearn.
"""
import csv, sys
from sklearn.datasets import dump_svmlight_file
from sklearn.feature_extraction.text import TfidfVectorizer

csv.field_size_limit(1 << 30)  # some emails are longer than the csv module's 128 kB default


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [1 if r["label"] == "spam" else 0 for r in rows]


train_csv, test_csv, train_svm, test_svm = sys.argv[1:5]
xtr, ytr = read(train_csv)
xte, yte = read(test_csv)
vec = TfidfVectorizer()
a = vec.fit_transform(xtr)
b = vec.transform(xte)
# No comment= : with one, scikit-learn writes `#` header lines, which liblinear-train refuses ("Wrong input format").
dump_svmlight_file(a, ytr, train_svm, zero_based=False)
dump_svmlight_file(b, yte, test_svm, zero_based=False)
print(f"libsvm: train {a.shape[0]} x {a.shape[1]} ({a.nnz} non-zeros), test {b.shape[0]} ({b.nnz} non-zeros)")
