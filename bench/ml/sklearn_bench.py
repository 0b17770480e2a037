"""scikit-learn side of bench/ml/run.ts: reads the cases and CSV splits the TS side wrote, prints JSON results.

Run by run.ts as: /usr/bin/python3 bench/ml/sklearn_bench.py <tmpdir>
"""
import csv
import json
import pickle
import statistics
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.neighbors import KNeighborsClassifier


def load(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    body = rows[1:]
    x = np.array([[float(v) for v in r[:-1]] for r in body], dtype=np.float64)
    labels = [r[-1] for r in body]
    try:
        y = np.array([int(v) for v in labels])
    except ValueError:
        y = np.array(labels)
    return x, y


def timed(fn, repeats, warmup):
    for _ in range(warmup):
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
        for n_jobs in case["nJobs"]:
            if case["model"] == "knn":
                make = lambda: KNeighborsClassifier(n_neighbors=case["k"], n_jobs=n_jobs)
            else:
                make = lambda: RandomForestClassifier(n_estimators=case["nEstimators"], n_jobs=n_jobs, random_state=42)
            warm = 1 if case["repeats"] > 1 else 0
            fit_ms, model = timed(lambda: make().fit(xtr, ytr), case["repeats"], warm)
            pred_ms, pred = timed(lambda: model.predict(xte), case["repeats"], warm)
            n_single = case["singleRows"]
            rows = [xte[i % len(xte)].reshape(1, -1) for i in range(n_single)]
            model.predict(rows[0])
            t = time.perf_counter()
            for r in rows:
                model.predict(r)
            single_ms = (time.perf_counter() - t) * 1000 / n_single
            results.append({
                "case": case["name"], "nJobs": n_jobs, "fitMs": fit_ms, "predictMs": pred_ms, "singleMs": single_ms,
                "accuracy": float((pred == yte).mean()), "modelBytes": len(pickle.dumps(model)),
            })
            print(f"  sklearn {case['name']} n_jobs={n_jobs}: fit {fit_ms:.0f} ms", file=sys.stderr)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
