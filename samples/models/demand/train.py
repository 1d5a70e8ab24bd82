"""demand_forecast: next week's units per store and SKU (regression) with XGBoost.

One training row per store, SKU and past week: the week's units and the four weeks of sales
before it, as they were known when the week began (the pipeline drops the window's times).

SageMaker script mode through mlp_data. The booster is trained with the native API
(`xgb.train`) and saved in XGBoost's own format (`model.json`) next to `encoding.json`, the
column encoding: numbers and bools as they are, enums and other low-cardinality text one-hot
by name, ids (`store_sku`) left out. `model_fn` rebuilds a small model object from the two
files; its `predict(frame)` takes a DataFrame of the model's input columns.

Hyperparameters (the sample's `hyperparams` and `search`): max_depth, eta, rounds, subsample;
also accepted: min_child_weight, colsample_bytree, seed.
"""
import json
import os

import numpy as np
import pandas as pd
import xgboost as xgb

import mlp_data


def encoding_for(frame):
    numeric, categorical = [], {}
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
            numeric.append(name)
        elif pd.api.types.is_datetime64_any_dtype(col):
            continue
        else:
            values = col.dropna().astype(str)
            if values.nunique() <= max(20, len(values) // 10):
                categorical[name] = sorted(values.unique().tolist())
            # otherwise an identifier: left out
    return {"numeric": numeric, "categorical": categorical}


def matrix(frame, encoding):
    parts, names = [], []
    for name in encoding["numeric"]:
        parts.append(pd.to_numeric(frame[name].astype(float), errors="coerce").to_numpy(dtype=float))
        names.append(name)
    for name, levels in encoding["categorical"].items():
        values = frame[name].astype(str).to_numpy()
        for level in levels:
            parts.append((values == level).astype(float))
            names.append("%s=%s" % (name, level))
    return np.column_stack(parts) if parts else np.zeros((len(frame), 0)), names


class DemandModel:
    """An XGBoost booster with its column encoding."""

    def __init__(self, booster, encoding):
        self.booster = booster
        self.encoding = encoding

    def predict(self, frame):
        x, names = matrix(frame, self.encoding)
        out = self.booster.predict(xgb.DMatrix(x, feature_names=names))
        return np.clip(out, 0.0, None)  # units are never negative


def model_fn(model_dir):
    booster = xgb.Booster()
    booster.load_model(os.path.join(model_dir, "model.json"))
    with open(os.path.join(model_dir, "encoding.json")) as f:
        encoding = json.load(f)
    return DemandModel(booster, encoding)


def predict_fn(data, model):
    return model.predict(data)


if __name__ == "__main__":
    hps = mlp_data.hyperparams()
    X, y = mlp_data.xy(mlp_data.channel("train"))
    encoding = encoding_for(X)
    x, names = matrix(X, encoding)
    params = {
        "objective": "reg:squarederror",
        "max_depth": int(float(hps.get("max_depth", 6))),
        "eta": float(hps.get("eta", 0.1)),
        "subsample": float(hps.get("subsample", 1.0)),
        "min_child_weight": float(hps.get("min_child_weight", 1.0)),
        "colsample_bytree": float(hps.get("colsample_bytree", 1.0)),
        "nthread": 1,  # tiny data: one thread is fastest, and tune runs trials side by side
        "seed": int(float(hps.get("seed", 0))),
    }
    booster = xgb.train(params, xgb.DMatrix(x, label=y.astype(float).to_numpy(), feature_names=names),
                        num_boost_round=int(float(hps.get("rounds", 200))))
    out = mlp_data.model_dir()
    os.makedirs(out, exist_ok=True)
    booster.save_model(os.path.join(out, "model.json"))
    with open(os.path.join(out, "encoding.json"), "w") as f:
        json.dump(encoding, f, indent=1)
    print("trained on %d store/SKU weeks, %d columns" % (len(X), len(names)))
