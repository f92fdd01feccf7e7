"""scikit-learn's TF-IDF + LinearSVC on a `text,label` CSV split, for bench/text.ts.

    python3 bench/text-sklearn.py TRAIN.csv TEST.csv N

TfidfVectorizer(ngram_range=(1, N)) with its other defaults (lower-cased, tokens of 2+ word characters,
l2-normalised TF-IDF), fitted on the training split only; LinearSVC() with its defaults (squared hinge, C 1,
one-vs-rest). Prints one JSON object: accuracy on the test split, fit_seconds (vectorizer fit and SVM fit, the
reading of the CSV not included), seconds (the test transform and predict added), features, the versions.
Debian: apt-get install python3-sklearn.
"""
import csv, json, sys, time
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

csv.field_size_limit(1 << 30)


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r["label"] for r in rows]


train_csv, test_csv, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
xtr, ytr = read(train_csv)
xte, yte = read(test_csv)
t0 = time.perf_counter()
vec = TfidfVectorizer(ngram_range=(1, n))
a = vec.fit_transform(xtr)
svm = LinearSVC().fit(a, ytr)
fit = time.perf_counter() - t0
pred = svm.predict(vec.transform(xte))
seconds = time.perf_counter() - t0
accuracy = sum(p == y for p, y in zip(pred, yte)) / len(yte)
print(json.dumps({"accuracy": accuracy, "fit_seconds": fit, "seconds": seconds, "features": a.shape[1], "sklearn": sklearn.__version__}))
