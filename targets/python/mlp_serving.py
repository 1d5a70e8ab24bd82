"""mlp serving: loads a trained model with its training entry script's handlers and
scores requests through them. The one copy of this contract: the Slurm target's endpoints
and batch scoring (mlp_runtime.py) and the Flink target's scoring UDF (mlp_flink.py) call it.

The entry script may define SageMaker's inference handlers:
    model_fn(model_dir)                -> model
    input_fn(body, content_type)       -> data
    predict_fn(data, model)            -> prediction
    output_fn(prediction, accept)      -> body, or (body, content_type)
Defaults for the ones it leaves out: a pickled model.pkl in the model folder; JSON, JSON
lines or CSV input; model.predict(data); JSON output. The script is loaded as a module
named mlp_inference (not as __main__), so its training code must sit under
'if __name__ == "__main__":', as SageMaker requires too. SM_MODEL_DIR names the model
folder while the script loads, as in SageMaker's serving containers.

Standard library only.
"""
import csv
import io
import json
import os
import pickle
import runpy
import sys
import threading


def entry_path(entry):
    """Where the entry script is: absolute as written; else under MLP_PROJECT_DIR (the
    folder paths in the .mlp file are relative to); else a file of that name on the Python
    path (shipped beside the caller, e.g. with Flink's -pyfs); else relative to MLP_PROJECT_DIR
    or the working folder, so the error names the place it was expected."""
    if not entry or os.path.isabs(entry):
        return entry
    project = os.environ.get("MLP_PROJECT_DIR")
    if project and os.path.exists(os.path.join(project, entry)):
        return os.path.join(project, entry)
    for folder in sys.path:
        candidate = os.path.join(folder or ".", os.path.basename(entry))
        if os.path.isfile(candidate):
            return candidate
    return os.path.join(project or os.getcwd(), entry)


def default_model_fn(model_dir):
    for name in ("model.pkl", "model.pickle"):
        path = os.path.join(model_dir, name)
        if os.path.exists(path):
            with open(path, "rb") as f:
                return pickle.load(f)
    raise RuntimeError("define model_fn(model_dir) in the entry script (no model.pkl in %s)" % model_dir)


def default_input_fn(body, content_type):
    kind = (content_type or "application/json").split(";")[0].strip().lower()
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    if kind in ("application/json", "application/x-json"):
        return json.loads(text)
    if kind in ("application/jsonlines", "application/x-jsonlines"):
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    if kind == "text/csv":
        def cell(v):
            try:
                return float(v)
            except ValueError:
                return v
        return [[cell(v) for v in row] for row in csv.reader(io.StringIO(text)) if row]
    raise ValueError("unsupported content type %s: define input_fn in the entry script" % content_type)


def default_predict_fn(data, model):
    if hasattr(model, "predict"):
        return model.predict(data)
    if callable(model):
        return model(data)
    raise RuntimeError("the model has no predict(); define predict_fn in the entry script")


def default_output_fn(prediction, accept):
    def plain(o):
        return o.tolist() if hasattr(o, "tolist") else str(o)
    return json.dumps(prediction, default=plain), "application/json"


class Model:
    """A model loaded from model_dir with the entry script's handlers."""

    def __init__(self, entry, model_dir):
        self.model_dir = model_dir
        os.environ["SM_MODEL_DIR"] = model_dir
        found = {}
        path = entry_path(entry)
        if path:
            folder = os.path.dirname(os.path.abspath(path))
            if folder not in sys.path:  # a model reloaded with the same script adds it once
                sys.path.insert(0, folder)
            found = runpy.run_path(path, run_name="mlp_inference")
        # Every handler the script defines, predict_proba_fn too (scores beside predictions).
        self.handlers = found
        self.input_fn = found.get("input_fn") or default_input_fn
        self.predict_fn = found.get("predict_fn") or default_predict_fn
        self.output_fn = found.get("output_fn") or default_output_fn
        self.model = (found.get("model_fn") or default_model_fn)(model_dir)

    def invoke(self, body, content_type, accept="application/json"):
        """One request: the response body (bytes) and its content type."""
        prediction = self.predict_fn(self.input_fn(body, content_type), self.model)
        out = self.output_fn(prediction, accept)
        if isinstance(out, tuple):
            out, accept = out
        if isinstance(out, str):
            out = out.encode("utf-8")
        return out, accept


_LOCK = threading.Lock()
_LOADED = {}


def cached(entry, model_dir):
    """The Model for (entry, model_dir), loaded once per process: callers that score row by
    row (a stream UDF) share it between threads."""
    key = (entry, model_dir)
    with _LOCK:
        if key not in _LOADED:
            _LOADED[key] = Model(entry, model_dir)
        return _LOADED[key]
