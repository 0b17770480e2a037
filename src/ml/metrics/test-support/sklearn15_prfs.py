"""Writes sklearn15-prfs.ts: scikit-learn's own precision_recall_fscore_support and
classification_report outputs for `labels` that include labels with no true samples, no predicted
samples, or neither, under every zero_division setting ('warn', 0, 1, nan).

The numbers must come from scikit-learn >= 1.5 (1.3 added zero_division=nan, 1.4 computes the
F-score from tp/fp/fn and averages with _nanaverage, 1.5 shows `accuracy` whenever `labels`
covers every label present). Debian ships 1.2.1 only, so the committed file was produced with
scikit-learn 1.6.1 (whose precision_recall_fscore_support, _prf_divide, _nanaverage and
classification_report compute the same as 1.5's for these inputs: 1.6 only adds array-API
plumbing) installed from its wheel into a throw-away venv over Debian's numpy 1.24.2 / scipy 1.10.1:

    /usr/bin/python3 -m venv --system-site-packages /tmp/sk16
    /tmp/sk16/bin/pip install --no-index --no-deps scikit_learn-1.6.1-cp311-*.whl
    /tmp/sk16/bin/python src/ml/metrics/test-support/sklearn15_prfs.py \
        > src/ml/metrics/test-support/sklearn15-prfs.ts

Why 1.6.1 and not a 1.5 tag: the scikit-learn repository was too large to mirror here and no 1.5
wheel was at hand. 1.6.1's precision_recall_fscore_support, _prf_divide, _check_zero_division,
_nanaverage (np.nanmean unweighted, np.average weighted) and classification_report (accuracy when
set(labels) >= present labels) were read side by side with 1.5-era sources and compute the same.

`--json` prints the same data as JSON instead (nan as NaN), e.g. to compare with Debian's 1.2.1:
`/usr/bin/python3 sklearn15_prfs.py --json` runs there too and skips zero_division=nan. Done on
2026-11-29: 96 of 108 prfs rows and 26 of 45 reports are bit-identical in 1.2.1; the rest differ
exactly where 1.4/1.5 changed behaviour (F-score from counts: last-bit changes and beta=0 with
zero_division=1; weighted average when no listed label occurs in y_true; micro avg vs accuracy).
"""
import json
import math
import sys
import warnings

import numpy as np
import sklearn
from sklearn.metrics import classification_report, precision_recall_fscore_support

warnings.simplefilter("ignore")  # UndefinedMetricWarning for 'warn' is the point of some cases

CAN_NAN = tuple(int(p) for p in sklearn.__version__.split(".")[:2]) >= (1, 3)

# name -> (y_true, y_pred, labels or None)
YT = ["cat", "dog", "bird", "cat", "dog", "dog", "bird", "cat", "fish", "fish", "cat", "dog"]
YP = ["cat", "cat", "bird", "cat", "dog", "bird", "bird", "dog", "cat", "dog", "cat", "dog"]
# 0..3 in both, 4 predicted but never true, 6 true but never predicted, 5 in neither
NT = [0, 1, 2, 2, 1, 0, 2, 1, 1, 0, 3, 3, 6, 6]
NP = [0, 2, 2, 2, 1, 0, 1, 1, 4, 0, 3, 1, 0, 4]
BT = [0, 1, 1, 0, 1, 0, 0, 1]
BP = [0, 1, 0, 0, 1, 1, 0, 1]
CASES = {
    "strings default": (YT, YP, None),  # fish never predicted
    "strings fish+horse": (YT, YP, ["cat", "fish", "horse", "dog"]),  # horse in neither, subset
    "strings superset": (YT, YP, ["bird", "cat", "dog", "fish", "horse"]),
    "multiclass default": (NT, NP, None),
    "multiclass subset": (NT, NP, [0, 1, 4, 5, 6]),
    "multiclass superset": (NT, NP, [6, 5, 4, 3, 2, 1, 0]),
    "multiclass no-true only": (NT, NP, [5, 4]),  # weights all zero
    "multiclass absent only": (NT, NP, [5]),
    "binary default": (BT, BP, None),
    "binary plus absent": (BT, BP, [0, 1, 2]),
    "binary positive and absent": (BT, BP, [1, 2]),
    "binary never true": ([0, 0, 0, 0], [0, 0, 0, 1], [0, 1]),
    "binary never true, positive only": ([0, 0, 0, 0], [0, 0, 0, 1], [1]),
    "binary one class, other absent": ([0, 0, 0], [0, 0, 0], [0, 1]),
    "binary never predicted": ([0, 1, 1, 0], [0, 0, 0, 0], [1, 0]),
}
ZERO_DIVISIONS = ["warn", 0, 1] + ([np.nan] if CAN_NAN else [])
BETAS = [1.0, 2.0]
EXTRA_BETAS = {"multiclass subset": [0.5, 0.0, math.inf], "binary never true": [0.5, 0.0, math.inf]}


def num(v):
    return float(v)


def prfs_rows():
    rows = []
    for name, (yt, yp, labels) in CASES.items():
        for zd in ZERO_DIVISIONS:
            for beta in BETAS + EXTRA_BETAS.get(name, []):
                row = {"case": name, "zeroDivision": zd_key(zd), "beta": beta}
                p, r, f, s = precision_recall_fscore_support(yt, yp, labels=labels, beta=beta, average=None, zero_division=zd)
                row["none"] = [[num(x) for x in p], [num(x) for x in r], [num(x) for x in f], [int(x) for x in s]]
                for avg in ("macro", "weighted", "micro"):
                    p, r, f, _ = precision_recall_fscore_support(yt, yp, labels=labels, beta=beta, average=avg, zero_division=zd)
                    row[avg] = [num(p), num(r), num(f)]
                rows.append(row)
    return rows


def report_rows():
    rows = []
    for name, (yt, yp, labels) in CASES.items():
        for zd in ZERO_DIVISIONS:
            d = classification_report(yt, yp, labels=labels, zero_division=zd, output_dict=True)
            d = {k: (num(v) if not isinstance(v, dict) else {kk: num(vv) for kk, vv in v.items()}) for k, v in d.items()}
            text = classification_report(yt, yp, labels=labels, zero_division=zd)
            rows.append({"case": name, "zeroDivision": zd_key(zd), "dict": d, "text": text})
    return rows


def zd_key(zd):
    return "nan" if isinstance(zd, float) and math.isnan(zd) else zd


def ts(v):
    """JSON, except that nan is NaN and inf is Infinity."""
    if isinstance(v, float):
        return "NaN" if math.isnan(v) else "Infinity" if v == math.inf else repr(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(ts(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(json.dumps(k) + ": " + ts(x) for k, x in v.items()) + " }"
    return json.dumps(v)


def main():
    data = {
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "cases": {k: {"yTrue": v[0], "yPred": v[1], "labels": v[2]} for k, v in CASES.items()},
        "prfs": prfs_rows(),
        "reports": report_rows(),
    }
    if "--json" in sys.argv:
        json.dump(data, sys.stdout, indent=1)
        return
    out = sys.stdout
    out.write("// Generated by sklearn15_prfs.py beside this file: do not edit, rerun it (see its docstring).\n")
    out.write(f"// scikit-learn {data['sklearn']}, numpy {data['numpy']}. NaN marks sklearn's nan.\n")
    out.write("import type { Label } from '../../labels.js'\n\n")
    out.write("export type SklearnZeroDivision = 'warn' | 0 | 1 | 'nan'\n\n")
    out.write("export const SKLEARN_VERSION = " + json.dumps(data["sklearn"]) + "\n\n")
    out.write("export const CASES: Record<string, { yTrue: Label[]; yPred: Label[]; labels: Label[] | null }> = {\n")
    for k, v in data["cases"].items():
        out.write("  " + json.dumps(k) + ": " + ts(v) + ",\n")
    out.write("}\n\n")
    out.write("/** none: [precision[], recall[], fscore[], support[]]; macro / weighted / micro: [precision, recall, fscore]. */\n")
    out.write("export const PRFS: { case: string; zeroDivision: SklearnZeroDivision; beta: number; none: [number[], number[], number[], number[]]; macro: number[]; weighted: number[]; micro: number[] }[] = [\n")
    for row in data["prfs"]:
        out.write("  " + ts(row) + ",\n")
    out.write("]\n\n")
    out.write("/** classification_report(output_dict=True) as sklearn keys it, and the text with digits=2. */\n")
    out.write("export const REPORTS: { case: string; zeroDivision: SklearnZeroDivision; dict: Record<string, number | Record<string, number>>; text: string }[] = [\n")
    for row in data["reports"]:
        out.write("  " + ts(row) + ",\n")
    out.write("]\n")


if __name__ == "__main__":
    main()
