"""machine_failure: seven-day failure class per machine (0 none, 1 mechanical, 2 electrical,
3 hydraulic) from a week of sensor aggregates, the site and the machine's age. One training
row per machine and labelled week, with the sensors as they were when that week began.

SageMaker script mode through mlp_data: reads the `train` channel, hyperparameters from
SM_HPS, pickles a scikit-learn Pipeline into SM_MODEL_DIR. The pipeline selects its columns
by name (one-hot encodes the enum `site`, passes numbers and bools through, leaves ids such
as `machine_id` out), so it predicts on a DataFrame of the model's input columns. It holds
only scikit-learn objects, so the default pickle loader serves it.
"""
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

import mlp_data


def column_roles(frame):
    """Splits the feature columns into numbers (bools included) and categories; drops ids."""
    numeric, categorical = [], []
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
            numeric.append(name)
        elif pd.api.types.is_datetime64_any_dtype(col):
            continue
        else:
            values = col.dropna().astype(str)
            if values.nunique() <= max(20, len(values) // 10):
                categorical.append(name)
            # otherwise an identifier (machine_id): it names a row, it does not describe it
    return numeric, categorical


def build(frame, hps):
    numeric, categorical = column_roles(frame)
    prep = ColumnTransformer([
        ("num", "passthrough", numeric),
        ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
    ], remainder="drop")
    depth = hps.get("max_depth")
    class_weight = hps.get("class_weight", "balanced")
    forest = RandomForestClassifier(
        n_estimators=int(float(hps.get("n_estimators", 300))),
        max_depth=None if depth in (None, 0, "None", "none") else int(float(depth)),
        min_samples_leaf=int(float(hps.get("min_samples_leaf", 1))),
        class_weight=None if class_weight in (None, "", "none", "None") else class_weight,
        n_jobs=1, random_state=int(float(hps.get("seed", 0))))  # trials run side by side
    return Pipeline([("prep", prep), ("model", forest)])


if __name__ == "__main__":
    hps = mlp_data.hyperparams()
    X, y = mlp_data.xy(mlp_data.channel("train"))
    model = build(X, hps)
    model.fit(X, y.astype(int))
    mlp_data.save_model(model)
    print("trained on %d machine-weeks; classes %s" % (len(X), list(model.classes_)))
