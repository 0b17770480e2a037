"""Reference side of bench/ml/boosting.ts: scikit-learn's HistGradientBoosting* or XGBoost on the same bytes.

Run by boosting.ts as: /usr/bin/python3 bench/ml/boosting_bench.py <tmpdir> sklearn|xgboost [set]
(sklearn with OMP_NUM_THREADS=1 in its environment; `set`: only that case of cases.json). Prints a
JSON list of rows on stdout; fit times as wall and as process CPU time (medians).
"""
import json
import os
import statistics
import sys
import time

import numpy as np


def timed(fn, repeats, warmup=0):
    """Median wall ms, median CPU ms of the process (all its threads: time.process_time), last result."""
    times = []
    cpu = []
    out = None
    for _ in range(warmup):
        fn()
    for _ in range(repeats):
        t = time.perf_counter()
        c = time.process_time()
        out = fn()
        cpu.append((time.process_time() - c) * 1000)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), statistics.median(cpu), out


def make(who, task, threads, seed=0):
    common = dict(learning_rate=0.1)
    if who == "sklearn":
        from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

        cls = HistGradientBoostingClassifier if task == "classification" else HistGradientBoostingRegressor
        # random_state pinned: it picks the 200k rows sklearn's bin edges come from (unseeded, the 1M
        # regression RMSE ranged 1.26-1.51 between runs); boosting.ts --seeds varies it like ours
        return cls(max_iter=100, max_leaf_nodes=31, max_bins=255, early_stopping=False, random_state=seed, **common)
    import xgboost as xgb

    cls = xgb.XGBClassifier if task == "classification" else xgb.XGBRegressor
    return cls(tree_method="hist", n_estimators=100, max_leaves=31, max_depth=0, grow_policy="lossguide", max_bin=255, nthread=threads, **common)


def score_of(model, task, xte, yte):
    """Accuracy (classification) or RMSE (regression) on the test split."""
    pred = model.predict(xte)
    if task == "classification":
        return float(np.mean(pred == yte))
    return float(np.sqrt(np.mean((pred - yte) ** 2)))


def main():
    tmp, who = sys.argv[1], sys.argv[2]
    only = sys.argv[3] if len(sys.argv) > 3 else None
    with open(f"{tmp}/cases.json") as f:
        cases = [c for c in json.load(f) if only is None or c["name"] == only]
    # warm-up (imports, first-call costs), as the TS side warms its JIT
    rng = np.random.RandomState(0)
    xw = rng.uniform(-1, 1, (5000, 20))
    for task, yw in (("classification", (xw[:, 0] > 0).astype(int)), ("regression", xw[:, 0] * 3)):
        make(who, task, 1).fit(xw, yw)
    rows = []
    for c in cases:
        name, p, n = c["name"], c["nCols"], c["nRows"]
        x = np.fromfile(f"{tmp}/{name}.x", dtype="<f8").reshape(n, p)
        y = np.fromfile(f"{tmp}/{name}.y", dtype="<f8")
        tr = np.fromfile(f"{tmp}/{name}.train", dtype="<u4")
        te = np.fromfile(f"{tmp}/{name}.test", dtype="<u4")
        if c["task"] == "classification":
            # XGBoost wants labels 0..k-1 (wine's cultivars are 1..3)
            y = np.unique(y, return_inverse=True)[1].astype(np.int64)
        xtr, ytr, xte, yte = x[tr], y[tr], x[te], y[te]
        npred = min(100_000, n)
        xpred = x[:npred]
        xgb_threads = [int(t) for t in os.environ.get("XGB_THREADS", "1,2").split(",")]
        for threads in xgb_threads if who == "xgboost" else (1,):
            # one untimed fit first when several are timed, as on the TS side (thread pools, first-call costs)
            fit_ms, fit_cpu_ms, model = timed(lambda: make(who, c["task"], threads).fit(xtr, ytr), c["repeats"], 1 if c["repeats"] > 1 else 0)
            score = score_of(model, c["task"], xte, yte)
            batch = model.predict_proba if c["task"] == "classification" else model.predict
            pred_ms, _, _ = timed(lambda: batch(xpred), max(3, c["repeats"]), 2)
            one = [xte[i : i + 1] for i in range(min(200, len(xte)))]
            calls = 400
            for i in range(20):
                model.predict(one[i % len(one)])
            t = time.perf_counter()
            for i in range(calls):
                model.predict(one[i % len(one)])
            single_ms = (time.perf_counter() - t) * 1000 / calls
            row = dict(set=name, who=who, threads=threads, fitMs=fit_ms, fitCpuMs=fit_cpu_ms, score=score, predictMs=pred_ms, predictRows=npred, singleMs=single_ms)
            if who == "sklearn" and c.get("seeds", 1) > 1:
                # untimed fits with random_state 1..seeds-1 (seed 0 is the timed fit above)
                row["seedScores"] = [score] + [score_of(make(who, c["task"], threads, s).fit(xtr, ytr), c["task"], xte, yte) for s in range(1, c["seeds"])]
            rows.append(row)
            print(f"  {who} {name} threads={threads}: fit {fit_ms:.0f} ms (CPU {fit_cpu_ms:.0f} ms), score {score:.4f}, predict {pred_ms:.1f} ms, one row {single_ms:.2g} ms", file=sys.stderr)
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
