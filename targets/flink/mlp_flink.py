"""The Python UDF of the Flink stream deployments.

Flink SQL (registered by the job: CREATE TEMPORARY SYSTEM FUNCTION mlp_predict
AS 'mlp_flink.predict' LANGUAGE PYTHON; shipped with sql-client.sh -pyfs mlp_flink.py,
<the entry script's folder>), a table function giving one row per input row:

    LATERAL TABLE(mlp_predict(model_dir, entry, task, label_type, features, value_1, ..., value_n))
        AS p(label, score)

model_dir   the model folder: the registry's latest/<step>/model, a symlink the gate switches
            to each new good model (MLP_MODEL_PATH in the environment, when set, wins)
entry       the training entry script as written in the .mlp file: absolute, or relative
            to MLP_PROJECT_DIR, or found on the Python path (its folder is shipped with -pyfs)
task        classification or regression
label_type  the label's type: bool, int, float, string or enum
features    the model's feature columns as a JSON list, in the order it was trained on
value_i     their values

label  the prediction as text in the label's type (true/false, an integer, ...): the SQL casts it
score  classification: the probability of the positive class of a two-class model, else of
       the predicted class; null without probabilities, and for regression

Each row is scored as `mlp run` scores a table: an entry script's input_fn gets the JSON
body [[value_1, ..., value_n]] (an endpoint request, mlp_serving's contract); otherwise
predict_fn gets a pandas DataFrame of the named feature columns (a list of rows without
pandas). Probabilities come from the entry's predict_proba_fn(data, model), else the
model's predict_proba. A classifier answering a probability for a bool label (no class
given) is read as P(true): label true from 0.5.

The model is loaded once and reloaded when the registry's latest changes: at most every
MLP_MODEL_RELOAD_SECONDS (default 60) the UDF resolves model_dir's symlinks, and a new target
is a new version (published model folders are never rewritten in place). Standard library
plus PyFlink (and pandas when the model wants a DataFrame).
"""
import json
import os
import threading
import time

from mlp_serving import Model, default_input_fn  # mlp: the serving module is written in here when shipped

_LOCK = threading.Lock()
_CURRENT = {}


def reload_seconds():
    try:
        return max(0.0, float(os.environ.get("MLP_MODEL_RELOAD_SECONDS", "60")))
    except ValueError:
        return 60.0


def current(entry, model_dir, clock=time.monotonic):
    """The Model of the latest version under model_dir, checked at most every reload_seconds()."""
    key = (entry, model_dir)
    now = clock()
    with _LOCK:
        held = _CURRENT.get(key)
        if held and now - held["checked"] < reload_seconds():
            return held["model"]
        version = os.path.realpath(model_dir)
        if held and held["version"] == version:
            held["checked"] = now
            return held["model"]
        # Loaded from the resolved folder, so a switch while loading cannot mix two versions.
        model = Model(entry, version)
        _CURRENT[key] = {"version": version, "model": model, "checked": now}
        return model


def _plain(value):
    if hasattr(value, "tolist"):
        value = value.tolist()
    if hasattr(value, "item") and not isinstance(value, (list, str)):
        value = value.item()
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return _plain(value[0])
    return value


def _first(out):
    if hasattr(out, "tolist"):
        out = out.tolist()
    if isinstance(out, (list, tuple)):
        return _plain(out[0]) if len(out) else None
    return _plain(out)


def _data(model, names, values):
    if model.input_fn is not default_input_fn:
        return model.input_fn(json.dumps([list(values)], default=str), "application/json")
    try:
        import pandas as pd
    except ImportError:
        return [list(values)]
    return pd.DataFrame([list(values)], columns=names)


def _probabilities(model, data):
    """(row of class probabilities, classes) or (None, None)."""
    fn = model.handlers.get("predict_proba_fn")
    if fn is None and hasattr(model.model, "predict_proba"):
        def fn(d, m):
            return m.predict_proba(d)
    if fn is None:
        return None, None
    matrix = fn(data, model.model)
    matrix = matrix.tolist() if hasattr(matrix, "tolist") else [list(r) for r in matrix]
    classes = getattr(model.model, "classes_", None)
    classes = classes.tolist() if hasattr(classes, "tolist") else classes
    return [float(p) for p in matrix[0]], (list(classes) if classes is not None else None)


_TRUE = ("true", "t", "yes", "y", "1", "1.0")
_FALSE = ("false", "f", "no", "n", "0", "0.0")


def label_text(value, label_type):
    """The prediction as text that CASTs to the label's type, or None."""
    if value is None:
        return None
    if label_type == "bool":
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return "true" if value >= 0.5 else "false"
        key = str(value).strip().lower()
        if key in _TRUE or key in _FALSE:
            return "true" if key in _TRUE else "false"
        raise ValueError("the model predicted %r for a bool label" % (value,))
    if label_type == "int":
        return str(int(round(float(value))))
    if label_type == "float":
        return repr(float(value))
    return value if isinstance(value, str) else json.dumps(value) if isinstance(value, (list, dict)) else str(value)


def score(model_dir, entry, task, label_type, features, values):
    """One row's (label, score): the UDF's whole contract, without Flink."""
    model = current(entry, os.environ.get("MLP_MODEL_PATH") or model_dir)
    names = json.loads(features)
    data = _data(model, names, values)
    predicted = _first(model.predict_fn(data, model.model))
    if task != "classification":
        return label_text(predicted, label_type), None
    probs, classes = _probabilities(model, data)
    if probs is None:
        # A bare probability for a bool label (e.g. a booster's P(true)): the score, and the label from it.
        if label_type == "bool" and isinstance(predicted, float) and 0.0 <= predicted <= 1.0:
            return label_text(predicted, label_type), predicted
        return label_text(predicted, label_type), None
    if len(probs) == 2:
        return label_text(predicted, label_type), probs[1]
    at = classes.index(predicted) if classes is not None and predicted in classes else max(range(len(probs)), key=probs.__getitem__)
    return label_text(predicted, label_type), probs[at]


try:
    from pyflink.table import DataTypes
    from pyflink.table.udf import udtf
except ImportError:  # outside Flink (tests, tools): score() is the contract
    predict = None
else:

    def _rows(model_dir, entry, task, label_type, features, *values):
        yield score(model_dir, entry, task, label_type, features, values)

    predict = udtf(_rows, result_types=[DataTypes.STRING(), DataTypes.DOUBLE()])
