"""scikit-learn side of bench/ml/linear.ts: reads the cases and CSV splits the TS side wrote, prints JSON results.

Run by linear.ts as: /usr/bin/python3 bench/ml/sklearn_linear.py <tmpdir>
Every model with scikit-learn's defaults (ConvergenceWarnings silenced: they are part of what is measured).
"""
import csv
import json
import statistics
import sys
import time
import warnings

import numpy as np
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, r2_score
from sklearn.preprocessing import StandardScaler

warnings.filterwarnings("ignore")

PREDICT_REPEATS = 21  # as linear.ts


def load(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    body = rows[1:]
    x = np.array([[float(v) for v in r[:-1]] for r in body], dtype=np.float64)
    y = np.array([float(r[-1]) for r in body], dtype=np.float64)
    return x, y


def timed(fn, repeats):
    if repeats > 1:
        fn()
    times = []
    out = None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), out


def main():
    tmp = sys.argv[1]
    with open(f"{tmp}/cases.json") as f:
        cases = json.load(f)
    results = []
    for case in cases:
        x, y = load(f"{tmp}/{case['csv']}")
        with open(f"{tmp}/{case['split']}") as f:
            split = json.load(f)
        tr, te = np.array(split["train"]), np.array(split["test"])
        xtr, ytr, xte, yte = x[tr], y[tr], x[te], y[te]
        if case["scale"]:
            scaler = StandardScaler().fit(xtr)
            xtr, xte = scaler.transform(xtr), scaler.transform(xte)
        repeats = case["repeats"]
        if case["model"] == "logistic":
            ytr, yte = ytr.astype(int), yte.astype(int)
            fit_ms, model = timed(lambda: LogisticRegression().fit(xtr, ytr), repeats)
            pred_ms, pred = timed(lambda: model.predict(xte), PREDICT_REPEATS)
            score, score2 = accuracy_score(yte, pred), log_loss(yte, model.predict_proba(xte), labels=model.classes_)
            n_iter = int(model.n_iter_[0])
        else:
            make = LinearRegression if case["model"] == "linear" else Ridge
            fit_ms, model = timed(lambda: make().fit(xtr, ytr), repeats)
            pred_ms, pred = timed(lambda: model.predict(xte), PREDICT_REPEATS)
            score, score2 = mean_squared_error(yte, pred, squared=False), r2_score(yte, pred)
            n_iter = None
        results.append({"case": case["name"], "fitMs": fit_ms, "predictMs": pred_ms, "score": float(score), "score2": float(score2), "nIter": n_iter})
        print(f"  sklearn {case['name']}: fit {fit_ms:.1f} ms", file=sys.stderr)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
