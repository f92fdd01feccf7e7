"""hogwild against scikit-learn on the same 80/20 splits of real tables, seeds 1-5: classification and regression,
with categorical columns and missing values.

For each table and seed the split is written as train.csv and test.csv with the csv module. scikit-learn fits a
ColumnTransformer (SimpleImputer(mean) + StandardScaler for numeric columns, OneHotEncoder(handle_unknown='ignore')
for string columns, a missing string as its own category) and MLPClassifier or MLPRegressor(100) on train.csv's rows.
hogwild runs the README's three commands, with its default epochs:

    pnpm data convert --csv train.csv --label target --out train.arrow
    pnpm trainer run --data train.arrow --seed S --save m.safetensors
    pnpm trainer eval --model m.safetensors --csv test.csv --label target --json      (accuracy or r2)

The table gives the mean over the seeds and the difference (points of accuracy, or R²).
Run from the repository root:  pip install scikit-learn && python3 bench/sklearn-compare.py [--seeds 5] [--only NAME]
Real tables kept aside (Debian: apt-get install r-base-core r-cran-mass r-cran-ggplot2 python3-sklearn):
    Rscript bench/real-tables.R /tmp/real && /usr/bin/python3 bench/sklearn-compare.py --real /tmp/real
"""
import argparse, csv, json, os, platform, random, statistics, subprocess, sys
import numpy as np
from sklearn import datasets
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
import sklearn, warnings
warnings.filterwarnings("ignore")  # the MLPs' ConvergenceWarning at max_iter

MISSING = {"", "NA", "N/A", "NaN", "nan", "null", "None", "?"}
ROOT = os.path.join(os.path.dirname(__file__), "..")


def bundled(load, regression=False):
    def make():
        d = load()
        names = list(d.feature_names) if hasattr(d, "feature_names") else [f"f{i}" for i in range(d.data.shape[1])]
        if regression:
            y = [f"{v:.1f}" for v in d.target]
        else:
            y = [str(d.target_names[t]) if hasattr(d, "target_names") and not str(d.target_names[0]).isdigit() else str(int(t)) for t in d.target]
        rows = [[repr(float(v)) for v in x] for x in d.data]
        return names, rows, y, regression
    return make


def fixture(name, label):
    def make():
        with open(os.path.join(ROOT, "test/fixtures/tabular", name)) as f:
            r = list(csv.reader(f))
        h = r[0]
        j = h.index(label)
        return [c for i, c in enumerate(h) if i != j], [[c for i, c in enumerate(row) if i != j] for row in r[1:]], [row[j] for row in r[1:]], False
    return make


def real(path, label):
    """A table written by R's write.csv (bench/real-tables.R); rows whose label is missing are dropped, as hogwild drops them."""
    def make():
        with open(path, newline="") as f:
            r = list(csv.reader(f))
        h = r[0]
        j = h.index(label)
        body = [row for row in r[1:] if row[j] not in MISSING]
        ys = [row[j] for row in body]
        present = [number(v) for v in ys]
        # The task as hogwild's convert chooses it (core chooseTask): numbers with fractions, more than 256 distinct, or
        # more than 20 that are written as floats or are not the class codes 0 … K-1 or 1 … K, are a regression.
        numeric = all(v is not None for v in present)
        values = sorted(set(present)) if numeric else []
        floats = any(("." in v or "e" in v.lower()) for v in ys)
        codes = numeric and values[0] in (0, 1) and values[-1] - values[0] + 1 == len(values)
        regression = numeric and (any(v != int(v) for v in values) or len(values) > 256 or (len(values) > 20 and (floats or not codes)))
        return [c for i, c in enumerate(h) if i != j], [[c for i, c in enumerate(row) if i != j] for row in body], ys, regression
    return make


def houses():
    """A regression table with a categorical column and missing cells (seeded; the price depends on all three)."""
    rng = random.Random(7)
    rows, y = [], []
    for _ in range(600):
        area = rng.uniform(40, 200)
        rooms = max(1, int(area / 30 + rng.gauss(0, 1)))
        district = rng.choice(["north", "south", "east", "west", "centre"])
        price = 1.8 * area + 12 * rooms + {"north": 40, "south": -20, "east": 0, "west": 10, "centre": 90}[district] + rng.gauss(0, 20)
        rows.append([f"{area:.1f}" if rng.random() > 0.05 else "NA", str(rooms) if rng.random() > 0.05 else "", district if rng.random() > 0.03 else ""])
        y.append(f"{price:.2f}")
    return ["area", "rooms", "district"], rows, y, True


TABLES = {
    "iris": bundled(datasets.load_iris),
    "wine": bundled(datasets.load_wine),
    "breast_cancer": bundled(datasets.load_breast_cancer),
    "digits": bundled(datasets.load_digits),
    "diabetes (regression)": bundled(datasets.load_diabetes, regression=True),
    "fruit (categories, missing)": fixture("fruit.csv", "kind"),
    "houses (regression, categories, missing)": houses,
}


def write_csv(path, names, rows, y):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(list(names) + ["target"])
        for row, label in zip(rows, y):
            w.writerow(list(row) + [label])


def number(s):
    try:
        v = float(s)
        return v if np.isfinite(v) and not s.lower().startswith(("0x", "-0x")) else None
    except ValueError:
        return None


def sklearn_pipeline(names, rows, regression, seed):
    """Numeric columns (every non-missing cell a number) imputed and scaled; string columns one-hot; others dropped, as hogwild's roles."""
    cols = list(zip(*rows))
    num, cat = [], []
    for i, c in enumerate(cols):
        present = [v for v in c if v not in MISSING]
        if present and all(number(v) is not None for v in present):
            num.append(i)
        elif present and len(set(present)) <= min(100, len(c) / 2):
            cat.append(i)
    pre = ColumnTransformer([("num", make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()), num),
                             ("cat", OneHotEncoder(handle_unknown="ignore"), cat)])
    model = (MLPRegressor if regression else MLPClassifier)(hidden_layer_sizes=(100,), random_state=seed, max_iter=500)

    def matrix(rs):
        X = np.empty((len(rs), len(names)), dtype=object)
        for r, row in enumerate(rs):
            for i, v in enumerate(row):
                # A cell that is not a number in a numeric column (absent from the training rows) is missing, as in hogwild's eval.
                X[r, i] = (np.nan if v in MISSING or number(v) is None else number(v)) if i in num else ("<missing>" if v in MISSING else v)
        return X
    return make_pipeline(pre, model), matrix


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stderr}")
    return r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--out", default="bench-out/sklearn")
    ap.add_argument("--only", default=None)
    ap.add_argument("--real", default=None, help="a folder from bench/real-tables.R: its tables instead of the bundled ones")
    a = ap.parse_args()
    if a.real:
        TABLES.clear()
        for line in open(os.path.join(a.real, "labels.txt")).read().split("\n"):
            if line.strip():
                name, label = line.split()
                TABLES[name] = real(os.path.join(a.real, name + ".csv"), label)
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} logical CPUs; scikit-learn {sklearn.__version__}, python {platform.python_version()}")
    print(f"MLP(100) both sides; hogwild with its defaults (epochs, lr, standardisation); 80/20 splits, seeds 1..{a.seeds}\n")
    print(f"{'table':42} {'rows':>5} {'metric':>8}   {'sklearn':>8} {'hogwild':>8} {'diff':>7}   per seed (sklearn/hogwild)")
    report = []
    for name, make in TABLES.items():
        if a.only and not name.startswith(a.only):
            continue
        names, rows, y, regression = make()
        ours, theirs = [], []
        for seed in range(1, a.seeds + 1):
            strat = None if regression else y
            rtr, rte, ytr, yte = train_test_split(rows, y, test_size=0.2, stratify=strat, random_state=seed)
            base = os.path.join(out, f"{name.split()[0]}-{seed}")
            write_csv(base + "-train.csv", names, rtr, ytr)
            write_csv(base + "-test.csv", names, rte, yte)
            pipe, matrix = sklearn_pipeline(names, rtr, regression, seed)
            ytr_, yte_ = ([float(v) for v in ytr], [float(v) for v in yte]) if regression else (ytr, yte)
            pipe.fit(matrix(rtr), ytr_)
            score = pipe.score(matrix(rte), yte_)  # R² or accuracy
            theirs.append(score if regression else 100 * score)
            run(["pnpm", "-s", "data", "convert", "--csv", base + "-train.csv", "--label", "target", "--out", base + "-train.arrow", "--force", "--json"])
            run(["pnpm", "-s", "trainer", "run", "--data", base + "-train.arrow", "--seed", str(seed), "--save", base + ".safetensors", "--force", "--json"])
            e = json.loads(run(["pnpm", "-s", "trainer", "eval", "--model", base + ".safetensors", "--csv", base + "-test.csv", "--label", "target", "--json"]).splitlines()[0])
            ours.append(e["r2"] if regression else 100 * e["accuracy"])
        s, h = statistics.mean(theirs), statistics.mean(ours)
        fmt = (lambda v: f"{v:8.3f}") if regression else (lambda v: f"{v:7.2f}%")
        per = " ".join((f"{x:.3f}/{z:.3f}" if regression else f"{x:.1f}/{z:.1f}") for x, z in zip(theirs, ours))
        print(f"{name:42} {len(y):>5} {'R²' if regression else 'accuracy':>8}   {fmt(s)} {fmt(h)} {h - s:+7.3f}   {per}", flush=True)
        report.append({"table": name, "rows": len(y), "regression": regression, "sklearn": theirs, "hogwild": ours, "sklearn_mean": s, "hogwild_mean": h})
    with open(os.path.join(out, "report.json"), "w") as f:
        json.dump({"seeds": a.seeds, "sklearn_version": sklearn.__version__, "results": report}, f, indent=1)


if __name__ == "__main__":
    main()
