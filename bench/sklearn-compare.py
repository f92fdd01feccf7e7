"""hogwild against scikit-learn's MLPClassifier on scikit-learn's bundled tabular datasets, on the same splits.

For each dataset and split seed: a stratified 80/20 split (sklearn's train_test_split) written as train.csv and
test.csv with the csv module; scikit-learn fits StandardScaler + MLPClassifier(hidden_layer_sizes=(H,)) on train.csv's
rows; hogwild runs the documented two commands on the same files:

    pnpm data convert --csv train.csv --label target --out train.arrow   (and test.csv)
    pnpm trainer run --data train.arrow --test test.arrow --layers D,H,K --epochs E --json

Both print test accuracy; the table gives the mean over the seeds and the difference in points.
Run from the repository root with Debian's python3 (apt-get install python3-sklearn):

    python3 bench/sklearn-compare.py [--seeds 5] [--hidden 100] [--out bench-out/sklearn]
"""
import argparse, csv, json, os, platform, statistics, subprocess, sys, time
from sklearn import datasets
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
import sklearn, warnings
warnings.filterwarnings("ignore")  # MLPClassifier's ConvergenceWarning at max_iter

DATASETS = {
    # name: (loader, epochs for hogwild); string class names where scikit-learn has them
    "iris": (datasets.load_iris, 200),
    "wine": (datasets.load_wine, 200),
    "breast_cancer": (datasets.load_breast_cancer, 100),
    "digits": (datasets.load_digits, 40),
}

def write_csv(path, names, X, y):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(list(names) + ["target"])
        for row, label in zip(X, y):
            w.writerow([repr(float(v)) for v in row] + [label])

def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stderr}")
    return r.stdout

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--hidden", type=int, default=100)
    ap.add_argument("--out", default="bench-out/sklearn")
    ap.add_argument("--only", default=None)
    ap.add_argument("--activation", default=None, help="hogwild's hidden activation (default: the trainer's, relu)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} logical CPUs; scikit-learn {sklearn.__version__}, python {platform.python_version()}")
    print(f"hidden units {a.hidden}, hogwild activation {a.activation or 'relu (default)'}, splits 80/20 stratified, seeds 1..{a.seeds}\n")
    print(f"{'dataset':15} {'rows':>5} {'feat':>4} {'cls':>3}   {'sklearn':>8} {'hogwild':>8} {'diff':>6}   per seed (sklearn/hogwild)")
    report = []
    for name, (load, epochs) in DATASETS.items():
        if a.only and name != a.only:
            continue
        d = load()
        names = d.feature_names if hasattr(d, "feature_names") else [f"f{i}" for i in range(d.data.shape[1])]
        labels = [d.target_names[t] if hasattr(d, "target_names") and not str(d.target_names[0]).isdigit() else int(t) for t in d.target]
        ours, theirs = [], []
        for seed in range(1, a.seeds + 1):
            Xtr, Xte, ytr, yte = train_test_split(d.data, labels, test_size=0.2, stratify=labels, random_state=seed)
            base = os.path.join(a.out, f"{name}-{seed}")
            write_csv(base + "-train.csv", names, Xtr, ytr)
            write_csv(base + "-test.csv", names, Xte, yte)
            clf = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(a.hidden,), random_state=seed, max_iter=500))
            clf.fit(Xtr, ytr)
            theirs.append(100 * clf.score(Xte, yte))
            for split in ("train", "test"):
                run(["pnpm", "-s", "data", "convert", "--csv", f"{base}-{split}.csv", "--label", "target", "--out", f"{base}-{split}.arrow", "--force", "--json"])
            k = len(set(labels))
            out = run(["pnpm", "-s", "trainer", "run", "--data", f"{base}-train.arrow", "--test", f"{base}-test.arrow",
                       "--layers", f"{d.data.shape[1]},{a.hidden},{k}", "--epochs", str(epochs), "--seed", str(seed), "--json"]
                      + (["--activation", a.activation] if a.activation else []))
            done = [json.loads(l) for l in out.splitlines() if l.strip()][-1]
            ours.append(100 * done["test_accuracy"])
        s, h = statistics.mean(theirs), statistics.mean(ours)
        per = " ".join(f"{x:.1f}/{y:.1f}" for x, y in zip(theirs, ours))
        print(f"{name:15} {len(labels):>5} {d.data.shape[1]:>4} {len(set(labels)):>3}   {s:7.2f}% {h:7.2f}% {h - s:+6.2f}   {per}", flush=True)
        report.append({"dataset": name, "rows": len(labels), "features": d.data.shape[1], "classes": len(set(labels)), "epochs": epochs,
                       "sklearn": theirs, "hogwild": ours, "sklearn_mean": s, "hogwild_mean": h})
    with open(os.path.join(a.out, "report.json"), "w") as f:
        json.dump({"hidden": a.hidden, "seeds": a.seeds, "activation": a.activation or "relu", "sklearn_version": sklearn.__version__, "results": report}, f, indent=1)

if __name__ == "__main__":
    main()
