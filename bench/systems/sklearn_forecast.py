"""Trains scikit-learn's HistGradientBoostingRegressor (defaults, as our air-quality model) on the exact time split
our training pipeline recorded (written by run.ts as CSV, NaN for a missing value) and prints one JSON line with its
test MAE, RMSE and R², and the persistence forecast's MAE (tomorrow = today: the `persistence` column) beside the
model's on the rows that have it."""
import json
import sys

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

name, prefix, persistence = sys.argv[1], sys.argv[2], int(sys.argv[3])
x_train = np.loadtxt(f"{prefix}_xtrain.csv", delimiter=",", ndmin=2)
x_test = np.loadtxt(f"{prefix}_xtest.csv", delimiter=",", ndmin=2)
y_train = np.loadtxt(f"{prefix}_ytrain.csv", ndmin=1)
y_test = np.loadtxt(f"{prefix}_ytest.csv", ndmin=1)
model = HistGradientBoostingRegressor(random_state=0).fit(x_train, y_train)
p = model.predict(x_test)
known = ~np.isnan(x_test[:, persistence])
print(json.dumps({
    "system": name,
    "mae": mean_absolute_error(y_test, p),
    "rmse": mean_squared_error(y_test, p) ** 0.5,
    "r2": r2_score(y_test, p),
    "mae_persistence_rows": mean_absolute_error(y_test[known], p[known]),
    "persistence_mae": mean_absolute_error(y_test[known], x_test[known, persistence]),
    "test_rows": len(y_test),
}))
