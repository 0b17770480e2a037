"""Trains scikit-learn's counterpart of each system's model on the exact split our training pipeline
recorded (written by run.ts as CSV) and prints one JSON line per system with its test accuracy."""
import json
import sys

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score
from sklearn.neighbors import KNeighborsClassifier

MODELS = {
    "iris": lambda: KNeighborsClassifier(n_neighbors=2),
    "titanic": lambda: RandomForestClassifier(n_estimators=100, random_state=42, n_jobs=1),
}

for spec in sys.argv[1:]:
    name, prefix = spec.split("=", 1)
    load = lambda part: np.loadtxt(f"{prefix}_{part}.csv", delimiter=",", dtype=str, ndmin=1)
    x_train = np.loadtxt(f"{prefix}_xtrain.csv", delimiter=",", ndmin=2)
    x_test = np.loadtxt(f"{prefix}_xtest.csv", delimiter=",", ndmin=2)
    y_train, y_test = load("ytrain"), load("ytest")
    model = MODELS[name]().fit(x_train, y_train)
    print(json.dumps({"system": name, "accuracy": accuracy_score(y_test, model.predict(x_test)), "test_rows": len(y_test)}))
