"""scikit-learn's test-split metrics for the diabetes test system's split (regression.test.ts).

Input: a JSON file {"train": [row, ...], "test": [row, ...], "names": [feature, ...]} holding the `row` keys of
the training and test rows of `fv.trainTestSplit({ testSize: 0.2, seed: 42 })` on the diabetes feature view,
in split order (the test writes nothing: dump them once from the split's trainIndex/testIndex). Run with the
Debian interpreter: /usr/bin/python3 diabetes_fixtures.py split.json
"""
import csv
import json
import sys

import numpy as np
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

split = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(__file__.rsplit('/', 4)[0] + '/../shared/data/diabetes.csv')))
x = {i + 1: [float(r[n]) for n in split['names']] for i, r in enumerate(rows)}
y = {i + 1: float(r['progression']) for i, r in enumerate(rows)}
xtr = np.array([x[k] for k in split['train']]); ytr = np.array([y[k] for k in split['train']])
xte = np.array([x[k] for k in split['test']]); yte = np.array([y[k] for k in split['test']])
for name, model in [('LinearRegression', LinearRegression()), ('Ridge(alpha=1)', Ridge(alpha=1.0))]:
    p = model.fit(xtr, ytr).predict(xte)
    print(name, json.dumps({'mae': mean_absolute_error(yte, p), 'rmse': mean_squared_error(yte, p, squared=False), 'r2': r2_score(yte, p)}))
