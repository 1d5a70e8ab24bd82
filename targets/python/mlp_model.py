"""mlp model steps on one machine (`mlp run`): train, tune, evaluate, score, notebook, serve.

    /usr/bin/python3 -u mlp_model.py KIND CONFIG.json

The runner starts it in a scratch folder with this folder on PYTHONPATH and MLP_PROJECT_DIR
set to the .mlp file's folder (entry scripts and notebooks are relative to it). Logs go to
stderr; on failure the exit code is non-zero and the last stderr line is `mlp: <cause>`
(exit 3: a gate failed; exit 2: the serving port is in use).

Config (JSON), common to all kinds: step, project_dir, entry, framework, task, label, keys,
features, columns ([{name, type, nullable}]), hyperparams, seed. Per kind:
    train     channels {name: dir}, model_dir, output_dir
    tune      channels {train: dir}, model_dir, output_dir, trials_dir, strategy
              (grid|random|bayesian), trials, parallel, objective {metric, direction},
              search [[name, {choice|uniform|loguniform|intrange: ...}]], validation_fraction
    evaluate  model_dir, data (dir), requires [{metric, op, value}], out
    score     model_dir, input (CSV file), output (CSV file)
    notebook  path, parameters, inputs {name: path}, out, timeout
    serve     model_dir, host, port, name, version

The entry script runs in a child process (`mlp_model.py entry SCRIPT [ARGS...]`) under the
SageMaker training contract described in mlp_data.py. Models are loaded through
mlp_serving.Model; for tables (evaluate, score, and serving requests the entry script leaves
to the defaults) predict_fn gets a pandas DataFrame of the feature columns, typed by the
signature `mlp_model.json` train writes beside the model, and class probabilities come from
the model's predict_proba, else the entry's predict_proba_fn(data, model).

Every value read from a config is data: nothing here builds code or shell commands from it.
"""
import concurrent.futures
import hashlib
import itertools
import json
import keyword
import math
import os
import random
import re
import runpy
import shutil
import subprocess
import sys
import threading
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import mlp_data  # noqa: E402
import mlp_metrics  # noqa: E402
import mlp_serving  # noqa: E402

SIGNATURE = "mlp_model.json"
GATE_FAILED = 3
PORT_IN_USE = 2
# The Debian package that provides a module the entry scripts commonly import.
PACKAGES = {
    "sklearn": "python3-sklearn",
    "xgboost": "python3-xgboost",
    "torch": "python3-torch",
    "optuna": "python3-optuna",
    "nbclient": "python3-nbclient",
    "nbformat": "python3-nbformat",
    "ipykernel": "python3-ipykernel",
    "pandas": "python3-pandas",
    "numpy": "python3-numpy",
    "scipy": "python3-scipy",
}


class Failure(Exception):
    """A step's failure: its message is the last line the runner shows."""

    def __init__(self, message, code=1):
        super().__init__(message)
        self.code = code


def log(message):
    print(message, file=sys.stderr, flush=True)


def missing_module(exc):
    """The top-level module an ImportError could not import, when it is one mlp knows."""
    if isinstance(exc, ImportError):
        name = (getattr(exc, "name", None) or "").split(".")[0]
        if name in PACKAGES:
            return name
    return None


def cannot_import(step, name):
    return "%s: python3 at %s cannot import %s; install it with: apt-get install %s" % (step, sys.executable, name, PACKAGES[name])


def one_line(text):
    text = " ".join(str(text).split())
    return text if len(text) <= 300 else text[:297] + "..."


def project_path(config, path):
    if not path or os.path.isabs(path):
        return path
    root = config.get("project_dir") or os.environ.get("MLP_PROJECT_DIR") or os.getcwd()
    return os.path.join(root, path)


def write_json(path, data):
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    tmp = "%s.tmp.%d.%d" % (path, os.getpid(), threading.get_ident())
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, sort_keys=True, default=_json_default)
        f.write("\n")
    os.replace(tmp, path)


def read_json(path, default=None):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def _json_default(o):
    if hasattr(o, "tolist"):
        return o.tolist()
    if hasattr(o, "isoformat"):
        return o.isoformat()
    return str(o)


def finite(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


# ---------- the training contract ----------


def hp_env(hps):
    """SM_HP_<NAME> per hyperparameter: strings as they are, anything else as JSON."""
    out = {}
    for key, value in hps.items():
        name = "SM_HP_" + re.sub(r"[^A-Za-z0-9_]", "_", str(key)).upper()
        out[name] = value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"))
    return out


def hp_args(hps):
    """The hyperparameters as command-line arguments, sorted: --name value, as SageMaker passes
    them (even for one-letter names; lists as comma-separated values)."""
    args = []
    for key in sorted(hps):
        value = hps[key]
        args.append("--%s" % key)
        args.append(",".join(str(v) for v in value) if isinstance(value, list) else str(value))
    return args


def signature(config):
    return {
        "label": config.get("label"),
        "features": list(config.get("features") or []),
        "keys": list(config.get("keys") or []),
        "task": config.get("task"),
        "framework": config.get("framework"),
        "columns": list(config.get("columns") or []),
        "entry": config.get("entry"),
    }


def entry_env(config, channels, model_dir, output_dir, hps):
    env = dict(os.environ)
    for name in [k for k in env if k.startswith(("SM_CHANNEL_", "SM_HP_"))]:
        del env[name]
    for name, folder in channels.items():
        env["SM_CHANNEL_" + re.sub(r"[^A-Za-z0-9_]", "_", name).upper()] = os.path.abspath(folder)
    env["SM_CHANNELS"] = json.dumps(list(channels))
    env["SM_MODEL_DIR"] = os.path.abspath(model_dir)
    env["SM_OUTPUT_DATA_DIR"] = os.path.abspath(output_dir)
    # As on Slurm: a folder that outlives a restart of the step (the model's sibling by default),
    # where an entry that checkpoints finds what it saved before.
    checkpoint = os.path.abspath(config.get("checkpoint_dir") or os.path.join(os.path.dirname(os.path.abspath(model_dir)), "checkpoint"))
    os.makedirs(checkpoint, exist_ok=True)
    env["MLP_CHECKPOINT_DIR"] = env["SM_CHECKPOINT_DIR"] = checkpoint
    env["SM_HPS"] = json.dumps(hps, sort_keys=True, separators=(",", ":"))
    env.update(hp_env(hps))
    env["SM_NUM_GPUS"] = "0"
    env["SM_HOSTS"] = json.dumps(["localhost"])
    env["SM_CURRENT_HOST"] = "localhost"
    env["MLP_LABEL"] = config.get("label") or ""
    env["MLP_FEATURES"] = json.dumps(list(config.get("features") or []))
    env["MLP_KEYS"] = json.dumps(list(config.get("keys") or []))
    env["MLP_TASK"] = config.get("task") or ""
    env["MLP_FRAMEWORK"] = config.get("framework") or ""
    env["MLP_COLUMNS"] = json.dumps(list(config.get("columns") or []))
    if config.get("seed") is not None:
        env["MLP_SEED"] = str(int(config["seed"]))
    if config.get("project_dir"):
        env["MLP_PROJECT_DIR"] = config["project_dir"]
    path = env.get("PYTHONPATH")
    env["PYTHONPATH"] = HERE + (os.pathsep + path if path else "")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def cmd_entry(argv):
    """In the child: runs the entry script as __main__; its failure goes to MLP_ENTRY_RESULT.
    With MLP_ENTRY_VALIDATE (a tuning trial), then evaluates the model it saved, in this same
    process (pandas and the framework are imported already), with that evaluate config."""
    script = os.path.abspath(argv[0])
    result = os.environ.pop("MLP_ENTRY_RESULT", None)
    validate = os.environ.pop("MLP_ENTRY_VALIDATE", None)
    sys.argv = [script] + list(argv[1:])
    sys.path.insert(0, os.path.dirname(script))
    os.chdir(os.path.dirname(script))
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as e:
        code = e.code
        if code not in (None, 0):
            if result:
                write_json(result, {"exit": code if isinstance(code, int) else 1, "message": None if isinstance(code, int) else str(code)})
            raise
    except BaseException as e:
        traceback.print_exc()
        if result:
            write_json(result, {"error": type(e).__name__, "message": one_line(e), "module": missing_module(e)})
        return 1
    if validate and has_model(os.environ.get("SM_MODEL_DIR") or ""):
        sys.stdout.flush()
        try:
            with open(validate, encoding="utf-8") as f:
                evaluate(json.load(f))
        except Exception as e:
            if not isinstance(e, Failure):
                traceback.print_exc()
                e = Failure("evaluating the trial's model raised %s: %s" % (type(e).__name__, one_line(e)))
            log("mlp: " + str(e))
            if result:
                write_json(result, {"failure": str(e)})
            return 1
    return 0


def run_entry(config, channels, model_dir, output_dir, hps, prefix=None, validate=None):
    """Runs the entry script in a child process; raises Failure with the cause when it fails."""
    step = config["step"]
    entry = config.get("entry")
    if not entry:
        raise Failure("%s: the step names no entry script" % step)
    script = project_path(config, entry)
    if not os.path.isfile(script):
        raise Failure("%s: entry script %s not found (looked at %s)" % (step, entry, script))
    os.makedirs(model_dir, exist_ok=True)
    os.makedirs(output_dir, exist_ok=True)
    env = entry_env(config, channels, model_dir, output_dir, hps)
    result = os.path.join(output_dir, ".mlp_entry_result.%d.json" % threading.get_ident())
    if os.path.exists(result):
        os.remove(result)
    env["MLP_ENTRY_RESULT"] = result
    if validate:
        env["MLP_ENTRY_VALIDATE"] = validate
    command = [sys.executable, "-u", os.path.abspath(__file__), "entry", script] + hp_args(hps)
    if prefix is None:
        code = subprocess.call(command, env=env, cwd=os.path.dirname(script), stdin=subprocess.DEVNULL, stdout=sys.stderr)
    else:
        code = relay(command, env, os.path.dirname(script), prefix)
    outcome = read_json(result)
    if os.path.exists(result):
        os.remove(result)
    if code == 0:
        return
    if isinstance(outcome, dict) and outcome.get("failure"):
        raise Failure(outcome["failure"])
    if isinstance(outcome, dict) and outcome.get("module"):
        raise Failure(cannot_import(step, outcome["module"]))
    if isinstance(outcome, dict) and outcome.get("error"):
        raise Failure("%s: entry script %s raised %s: %s" % (step, entry, outcome["error"], outcome.get("message") or ""))
    if isinstance(outcome, dict) and outcome.get("message"):
        raise Failure("%s: entry script %s exited: %s" % (step, entry, one_line(outcome["message"])))
    if code < 0:
        raise Failure("%s: entry script %s was killed by signal %d" % (step, entry, -code))
    raise Failure("%s: entry script %s exited with code %d" % (step, entry, code))


def relay(command, env, cwd, prefix):
    """Runs command, copying its output lines to stderr with prefix; its exit code."""
    child = subprocess.Popen(command, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    for raw in child.stdout:
        sys.stderr.write(prefix + raw.decode("utf-8", "replace").rstrip("\n") + "\n")
        sys.stderr.flush()
    return child.wait()


def has_model(model_dir):
    for _root, _dirs, names in os.walk(model_dir):
        if any(n != SIGNATURE and not n.startswith(".mlp_") for n in names):
            return True
    return False


def train(config, prefix=None, validate=None):
    """Trains; with validate (a tuning trial: the path of an evaluate config), the entry's
    process then evaluates the model it saved."""
    model_dir = config["model_dir"]
    if os.path.exists(os.path.join(model_dir, SIGNATURE)):
        os.remove(os.path.join(model_dir, SIGNATURE))
    hps = dict(config.get("hyperparams") or {})
    run_entry(config, dict(config.get("channels") or {}), model_dir, config["output_dir"], hps, prefix, validate)
    if not has_model(model_dir):
        raise Failure("%s: entry script %s wrote nothing to SM_MODEL_DIR (%s); save the model there, e.g. mlp_data.save_model(model)" % (config["step"], config["entry"], model_dir))
    write_json(os.path.join(model_dir, SIGNATURE), signature(config))
    return 0


# ---------- loading and predicting ----------


class LocalModel(mlp_serving.Model):
    """mlp_serving.Model that also keeps the entry script's handlers (predict_proba_fn)."""

    def __init__(self, entry, model_dir):
        self.model_dir = model_dir
        os.environ["SM_MODEL_DIR"] = model_dir
        found = {}
        path = mlp_serving.entry_path(entry)
        if path:
            sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
            found = runpy.run_path(path, run_name="mlp_inference")
        self.handlers = found
        self.input_fn = found.get("input_fn") or mlp_serving.default_input_fn
        self.predict_fn = found.get("predict_fn") or mlp_serving.default_predict_fn
        self.output_fn = found.get("output_fn") or mlp_serving.default_output_fn
        self.model = (found.get("model_fn") or mlp_serving.default_model_fn)(model_dir)
        self.signature = read_json(os.path.join(model_dir, SIGNATURE), {}) or {}


def load(config, step):
    """The model of config's model_dir, loaded with its entry script's handlers."""
    model_dir = os.path.abspath(config["model_dir"])
    if not os.path.isdir(model_dir):
        raise Failure("%s: no model at %s" % (step, model_dir))
    sig = read_json(os.path.join(model_dir, SIGNATURE), {}) or {}
    entry = config.get("entry") or sig.get("entry")
    project = config.get("project_dir") or os.environ.get("MLP_PROJECT_DIR")
    if project:
        os.environ["MLP_PROJECT_DIR"] = project
    script = project_path(config, entry) if entry else None
    if script and not os.path.isfile(script):
        raise Failure("%s: entry script %s not found (looked at %s)" % (step, entry, script))
    try:
        import pandas  # noqa: F401
    except ImportError:
        raise Failure(cannot_import(step, "pandas"))
    try:
        return LocalModel(os.path.abspath(script) if script else None, model_dir)
    except Exception as e:
        traceback.print_exc()
        name = missing_module(e)
        if name:
            raise Failure(cannot_import(step, name))
        raise Failure("%s: loading the model of %s with entry script %s raised %s: %s" % (step, model_dir, entry, type(e).__name__, one_line(e)))


def setting(config, model, name, default=None):
    value = config.get(name)
    if value in (None, [], ""):
        value = model.signature.get(name)
    return default if value in (None, []) else value


def feature_names(config, model, frame_columns):
    names = setting(config, model, "features", [])
    if names:
        return list(names)
    label = setting(config, model, "label")
    keys = setting(config, model, "keys", [])
    return [c for c in frame_columns if c != label and c not in keys and c != "prediction"]


def features_of(frame, names):
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise ValueError("missing feature column(s): %s" % ", ".join(missing))
    return frame[names]


def predict(model, X):
    """Predictions for the rows of X (one batch), as a list."""
    out = model.predict_fn(X, model.model)
    if hasattr(out, "tolist"):
        out = out.tolist()
    out = list(out)
    if len(out) != len(X):
        raise ValueError("the model gave %d predictions for %d rows" % (len(out), len(X)))
    return [v[0] if isinstance(v, list) and len(v) == 1 else v for v in out]


def probabilities(model, X):
    """(matrix, classes) of class probabilities, or (None, None) when the model has none."""
    fn = model.handlers.get("predict_proba_fn")
    inner = model.model
    if fn is None and hasattr(inner, "predict_proba"):
        def fn(data, m):
            return m.predict_proba(data)
    if fn is None:
        return None, None
    matrix = fn(X, inner)
    matrix = matrix.tolist() if hasattr(matrix, "tolist") else [list(r) for r in matrix]
    classes = getattr(inner, "classes_", None)
    classes = classes.tolist() if hasattr(classes, "tolist") else classes
    return matrix, classes


# ---------- evaluate ----------

OPS = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def number(v):
    return "%.4g" % v if finite(v) else str(v)


def measure(config, model, frame, wanted, step):
    """{metric: value} over the rows of frame, plus the metrics that could not be computed."""
    label = setting(config, model, "label")
    task = setting(config, model, "task")
    if not label or label not in frame.columns:
        raise Failure("%s: the data at %s has no label column %r" % (step, config.get("data"), label))
    if len(frame) == 0:
        raise Failure("%s: no rows to evaluate at %s" % (step, config.get("data")))
    X = features_of(frame, feature_names(config, model, list(frame.columns)))
    frame = frame[frame[label].notna()]
    X = X.loc[frame.index]
    y = frame[label].tolist()
    try:
        pred = predict(model, X)
        matrix, classes = (None, None)
        if task != "regression" and any(m in mlp_metrics.NEEDS_SCORES for m in wanted):
            matrix, classes = probabilities(model, X)
    except Exception as e:
        traceback.print_exc()
        raise Failure("%s: the model raised %s while predicting: %s" % (step, type(e).__name__, one_line(e)))
    values, errors = {}, {}
    for metric in wanted:
        try:
            values[metric] = mlp_metrics.compute(metric, y, pred, matrix, classes=classes)
        except ValueError as e:
            errors[metric] = one_line(e)
    return values, errors, len(y)


def evaluate(config):
    step = config["step"]
    requires = list(config.get("requires") or [])
    for req in requires:
        if req.get("op") not in OPS:
            raise Failure("%s: unknown comparison %r" % (step, req.get("op")))
        if req.get("metric") not in mlp_metrics.METRICS:
            raise Failure("%s: unknown metric %r (known: %s)" % (step, req.get("metric"), ", ".join(mlp_metrics.METRICS)))
    model = load(config, step)
    frame = read_frame(config, model, config["data"], step)
    task = setting(config, model, "task") or "classification"
    wanted = []
    for m in [r["metric"] for r in requires] + list(config.get("metrics") or []) + list(mlp_metrics.STANDARD.get(task, ())):
        if m not in wanted:
            wanted.append(m)
    values, errors, rows = measure(config, model, frame, wanted, step)
    checks = []
    for req in requires:
        value = values.get(req["metric"])
        ok = finite(value) and OPS[req["op"]](value, req["value"])
        check = {"metric": req["metric"], "op": req["op"], "threshold": req["value"], "value": value, "ok": bool(ok)}
        if req["metric"] in errors:
            check["error"] = errors[req["metric"]]
        checks.append(check)
        log("gate %s: %s = %s, required %s %s: %s" % (step, req["metric"], number(value), req["op"], number(req["value"]), "ok" if ok else "FAILED"))
    passed = all(c["ok"] for c in checks)
    result = {"step": step, "passed": passed, "checks": checks, "metrics": values, "rows": rows}
    if errors:
        result["not_computed"] = errors
    if config.get("out"):
        write_json(config["out"], result)
    broken = [c for c in checks if "error" in c]
    if broken:
        raise Failure("%s: cannot compute %s: %s" % (step, broken[0]["metric"], broken[0]["error"]))
    if not passed:
        failed = "; ".join("%s = %s, required %s %s" % (c["metric"], number(c["value"]), c["op"], number(c["threshold"])) for c in checks if not c["ok"])
        raise Failure("gate %s failed: %s" % (step, failed), GATE_FAILED)
    return 0


def columns_of(config, model):
    return setting(config, model, "columns", []) or None


def read_frame(config, model, path, step):
    if not os.path.exists(path):
        raise Failure("%s: no data at %s" % (step, path))
    try:
        return mlp_data.read(path, columns_of(config, model))
    except ValueError as e:
        raise Failure("%s: reading %s: %s" % (step, path, one_line(e)))


# ---------- score ----------


def prediction_kind(config, model):
    task = setting(config, model, "task")
    if task == "regression":
        return "float"
    label = setting(config, model, "label")
    for c in columns_of(config, model) or []:
        if c.get("name") == label:
            return c.get("type")
    return None


def cast_prediction(value, kind):
    if value is None:
        return None
    try:
        if value != value:
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item") and not isinstance(value, (list, str)):
        value = value.item()
    if kind == "float":
        return float(value)
    if kind == "int":
        return int(value)
    if kind == "bool":
        if isinstance(value, str):
            return mlp_data.parse_bool(value)
        return bool(value)
    return value


def score(config):
    step = config["step"]
    model = load(config, step)
    path = config["input"]
    if not os.path.exists(path):
        raise Failure("%s: no input at %s" % (step, path))
    import pandas as pd

    paths = mlp_data.data_files(path, ".csv")
    if not paths:
        raise Failure("%s: no CSV file at %s" % (step, path))
    raw = mlp_data.read_csv_text(paths)
    kind = prediction_kind(config, model)
    pred = []
    if len(raw):
        try:
            # Only the feature columns are typed: the others are copied through as they are.
            X = features_of(raw, feature_names(config, model, list(raw.columns)))
            X = mlp_data.typed_frame(X, columns_of(config, model))
        except ValueError as e:
            raise Failure("%s: reading %s: %s" % (step, path, one_line(e)))
        try:
            pred = predict(model, X)
        except Exception as e:
            traceback.print_exc()
            raise Failure("%s: the model raised %s while predicting: %s" % (step, type(e).__name__, one_line(e)))
    out = raw.drop(columns=[c for c in raw.columns if c == "prediction"])
    out["prediction"] = pd.Series([mlp_data.format_value(cast_prediction(v, kind), kind) for v in pred], index=out.index, dtype="object")
    folder = os.path.dirname(os.path.abspath(config["output"]))
    os.makedirs(folder, exist_ok=True)
    tmp = config["output"] + ".tmp.%d" % os.getpid()
    out.to_csv(tmp, index=False)
    os.replace(tmp, config["output"])
    log("%s: scored %d rows of %s into %s" % (step, len(out), path, config["output"]))
    return 0


# ---------- tune ----------


def grid_points(search, limit):
    for name, spec in search:
        if "choice" not in spec:
            raise Failure("grid search needs a choice list for every hyperparameter (%s has %s)" % (name, next(iter(spec), "?")))
    names = [name for name, _ in search]
    combos = itertools.product(*[spec["choice"] for _, spec in search])
    return [dict(zip(names, combo)) for combo in itertools.islice(combos, limit)]


def random_point(search, rng):
    point = {}
    for name, spec in search:
        if "choice" in spec:
            point[name] = rng.choice(spec["choice"])
        elif "uniform" in spec:
            low, high = spec["uniform"]
            point[name] = rng.uniform(low, high)
        elif "loguniform" in spec:
            low, high = spec["loguniform"]
            point[name] = math.exp(rng.uniform(math.log(low), math.log(high)))
        elif "intrange" in spec:
            low, high = spec["intrange"]
            point[name] = rng.randint(int(low), int(high))
        else:
            raise Failure("unknown search space for %s: %s" % (name, json.dumps(spec)))
    return point


def optuna_space(search):
    from optuna import distributions as d

    space = {}
    for name, spec in search:
        if "choice" in spec:
            space[name] = d.CategoricalDistribution(tuple(spec["choice"]))
        elif "uniform" in spec:
            space[name] = d.FloatDistribution(spec["uniform"][0], spec["uniform"][1])
        elif "loguniform" in spec:
            space[name] = d.FloatDistribution(spec["loguniform"][0], spec["loguniform"][1], log=True)
        elif "intrange" in spec:
            space[name] = d.IntDistribution(int(spec["intrange"][0]), int(spec["intrange"][1]))
    return space


def bucket(values):
    """A stable number in [0, 1) for a row's values (the same on every run and machine)."""
    digest = hashlib.sha256(json.dumps(values, separators=(",", ":")).encode("utf-8")).hexdigest()
    return int(digest[:12], 16) / float(16 ** 12)


def carve(config, folder):
    """Splits the train channel's CSV rows into folder/data/{train,validation}/part-0.csv."""
    import csv

    step = config["step"]
    source = (config.get("channels") or {}).get("train")
    if not source or not os.path.exists(source):
        raise Failure("%s: no train channel at %s" % (step, source))
    paths = mlp_data.data_files(source, ".csv")
    if not paths:
        raise Failure("%s: tune splits CSV data, and %s has no .csv file" % (step, source))
    header, rows = mlp_data.read_csv_raw(paths)
    fraction = float(config.get("validation_fraction") or 0.2)
    keys = [k for k in (config.get("keys") or []) if k in header]
    train_rows, validation_rows = [], []
    for row in rows:
        values = [row.get(k) for k in keys] if keys else [row.get(h) for h in header]
        (validation_rows if bucket(values) < fraction else train_rows).append(row)
    if not train_rows or not validation_rows:
        raise Failure("%s: a validation fraction of %s leaves %d training and %d validation rows of %d; tune needs both" % (step, fraction, len(train_rows), len(validation_rows), len(rows)))
    out = {}
    for name, part in (("train", train_rows), ("validation", validation_rows)):
        target = os.path.join(folder, "data", name)
        os.makedirs(target, exist_ok=True)
        with open(os.path.join(target, "part-0.csv"), "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n", extrasaction="ignore")
            writer.writeheader()
            writer.writerows(part)
        out[name] = os.path.abspath(target)
    log("%s: %d training and %d validation rows (validation fraction %s)" % (step, len(train_rows), len(validation_rows), fraction))
    return out


def child_config(config, **changes):
    out = dict(config)
    out.update(changes)
    return out


def run_trial(config, number, params, data, folder, metric):
    """One trial: the entry script trains on the carved train rows, then (in the same child)
    mlp evaluates the saved model on the validation rows."""
    trial_dir = os.path.abspath(os.path.join(folder, str(number)))
    hps = dict(config.get("hyperparams") or {})
    hps.update(params)
    record = {"trial": number, "params": params, "hyperparams": hps}
    train_cfg = child_config(config, hyperparams=hps, channels={"train": data["train"], "validation": data["validation"]},
                             model_dir=os.path.join(trial_dir, "model"), output_dir=os.path.join(trial_dir, "output"),
                             checkpoint_dir=os.path.join(trial_dir, "checkpoint"))
    eval_cfg = child_config(config, step="%s trial %d" % (config["step"], number), model_dir=train_cfg["model_dir"],
                            data=data["validation"], requires=[], metrics=[metric], out=os.path.join(trial_dir, "evaluation.json"))
    for key in ("channels", "trials_dir", "search", "output_dir", "checkpoint_dir"):
        eval_cfg.pop(key, None)
    validate = os.path.join(trial_dir, "evaluate.json")
    write_json(validate, eval_cfg)
    try:
        train(train_cfg, prefix="[trial %d] " % number, validate=validate)
    except Failure as e:
        record.update(status="failed", error=str(e))
        return record
    evaluation = read_json(eval_cfg["out"], {}) or {}
    value = (evaluation.get("metrics") or {}).get(metric)
    if not finite(value):
        record.update(status="failed", error="%s could not be computed: %s" % (metric, (evaluation.get("not_computed") or {}).get(metric, "no value")))
        return record
    record.update(status="ok", value=value, metrics=evaluation.get("metrics"), model=train_cfg["model_dir"], output=train_cfg["output_dir"])
    return record


def show_params(params):
    return " ".join("%s=%s" % (k, ("%.4g" % v) if isinstance(v, float) else v) for k, v in params.items())


def tune(config):
    step = config["step"]
    strategy = config.get("strategy") or "grid"
    if strategy not in ("grid", "random", "bayesian"):
        raise Failure("%s: unknown tuning strategy %r" % (step, strategy))
    objective = config.get("objective") or {}
    metric = objective.get("metric")
    if metric not in mlp_metrics.METRICS:
        raise Failure("%s: unknown objective metric %r (known: %s)" % (step, metric, ", ".join(mlp_metrics.METRICS)))
    direction = objective.get("direction") or ("maximize" if mlp_metrics.MAXIMIZE[metric] else "minimize")
    sign = 1 if direction == "maximize" else -1
    search = [(name, spec) for name, spec in (config.get("search") or [])]
    total = max(1, int(config.get("trials") or 1))
    parallel = max(1, min(int(config.get("parallel") or 1), os.cpu_count() or 1))
    seed = int(config.get("seed") or 0)
    folder = config["trials_dir"]
    for old in ("data", "trials"):  # a previous run's, never anything else of the folder
        if os.path.isdir(os.path.join(folder, old)):
            shutil.rmtree(os.path.join(folder, old))
    os.makedirs(folder, exist_ok=True)
    data = carve(config, folder)
    trials_root = os.path.join(folder, "trials")
    results = []

    def report(record, planned):
        shown = show_params(record["params"])
        if record["status"] == "ok":
            log("trial %d/%d: %s -> %s %s" % (record["trial"], planned, shown, metric, number(record["value"])))
        else:
            log("trial %d/%d: %s -> failed: %s" % (record["trial"], planned, shown, record["error"]))

    def run_batch(points, start, planned):
        with concurrent.futures.ThreadPoolExecutor(max_workers=parallel) as pool:
            futures = [pool.submit(run_trial, config, start + i, p, data, trials_root, metric) for i, p in enumerate(points)]
            out = []
            for f in futures:
                record = f.result()
                report(record, planned)
                out.append(record)
            return out

    if strategy == "grid":
        points = grid_points(search, total)
        results = run_batch(points, 1, len(points))
    elif strategy == "random":
        points = [random_point(search, random.Random(seed + i)) for i in range(total)]
        results = run_batch(points, 1, total)
    else:
        try:
            import warnings

            import optuna
        except ImportError as e:
            raise Failure(cannot_import(step, missing_module(e) or "optuna"))
        warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(direction=direction, sampler=optuna.samplers.TPESampler(seed=seed))
        space = optuna_space(search)
        done = 0
        while done < total:
            batch = [study.ask(space) for _ in range(min(parallel, total - done))]
            records = run_batch([dict(t.params) for t in batch], done + 1, total)
            for t, record in zip(batch, records):
                if record["status"] == "ok":
                    study.tell(t, record["value"])
                else:
                    study.tell(t, state=optuna.trial.TrialState.FAIL)
            results.extend(records)
            done += len(batch)
    ok = [r for r in results if r["status"] == "ok"]
    if not ok:
        first = results[0] if results else {"trial": 0, "error": "no trial ran"}
        raise Failure("%s: no trial succeeded; trial %d: %s" % (step, first["trial"], first.get("error")))
    best = max(ok, key=lambda r: (sign * r["value"], -r["trial"]))
    os.makedirs(config["model_dir"], exist_ok=True)
    shutil.copytree(best["model"], config["model_dir"], dirs_exist_ok=True)
    os.makedirs(config["output_dir"], exist_ok=True)
    if os.path.isdir(best["output"]):
        shutil.copytree(best["output"], config["output_dir"], dirs_exist_ok=True)
    write_json(os.path.join(config["output_dir"], "tune.json"), {
        "objective": {"metric": metric, "direction": direction},
        "strategy": strategy,
        "best": {k: best[k] for k in ("trial", "params", "hyperparams", "value")},
        "trials": results,
    })
    log("%s: best trial %d of %d: %s -> %s %s" % (step, best["trial"], len(results), show_params(best["params"]), metric, number(best["value"])))
    return 0


# ---------- notebook ----------


def notebook(config):
    step = config["step"]
    try:
        import nbclient
        import nbformat
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    except ImportError as e:
        raise Failure(cannot_import("notebook " + step, missing_module(e) or "nbclient"))
    parameters = dict(config.get("parameters") or {})
    inputs = dict(config.get("inputs") or {})
    for name in list(parameters) + ["mlp_inputs"]:
        if not (isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)):
            raise Failure("notebook %s: parameter name %r is not a Python identifier" % (step, name))
    if "mlp_inputs" in parameters:
        raise Failure("notebook %s: mlp_inputs is set by mlp; rename that parameter" % step)
    source = project_path(config, config["path"])
    if not os.path.isfile(source):
        raise Failure("notebook %s: no notebook at %s" % (step, source))
    nb = nbformat.read(source, as_version=4)
    lines = ["# Parameters (injected by mlp)"]
    for name, value in parameters.items():
        lines.append("%s = %r" % (name, value))
    lines.append("mlp_inputs = %r" % (inputs,))
    cell = nbformat.v4.new_code_cell("\n".join(lines) + "\n", metadata={"tags": ["injected-parameters"]})
    at = 0
    for i, c in enumerate(nb.cells):
        if "parameters" in (c.get("metadata", {}).get("tags") or []):
            at = i + 1
            break
    nb.cells = [c for c in nb.cells if "injected-parameters" not in (c.get("metadata", {}).get("tags") or [])]
    nb.cells.insert(at, cell)
    cwd = config.get("project_dir") or os.environ.get("MLP_PROJECT_DIR") or os.getcwd()
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # the kernel's debugger warnings
    client = nbclient.NotebookClient(nb, timeout=int(config.get("timeout") or 600), kernel_name="python3",
                                     resources={"metadata": {"path": cwd}})
    out = config["out"]
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    failure = None
    log("notebook %s: running %s -> %s" % (step, source, out))
    try:
        client.execute()
    except CellTimeoutError:
        failure = "cell %s timed out after %s s" % (failing_cell(nb) or "?", config.get("timeout") or 600)
    except CellExecutionError as e:
        n = failing_cell(nb)
        failure = "cell %s raised %s: %s" % (n or "?", getattr(e, "ename", "an error"), one_line(getattr(e, "evalue", "") or ""))
    except DeadKernelError as e:
        failure = "the kernel died: %s" % one_line(e)
    except Exception as e:
        name = missing_module(e)
        if name:
            failure = "cannot start the kernel: python3 at %s cannot import %s; install it with: apt-get install %s" % (sys.executable, name, PACKAGES[name])
        else:
            failure = "%s: %s" % (type(e).__name__, one_line(e))
    nbformat.write(nb, out)
    if failure:
        raise Failure("notebook %s: %s" % (step, failure))
    log("notebook %s: done" % step)
    return 0


def failing_cell(nb):
    """The 1-based position (in the executed notebook) of the cell with an error output, or
    of the last cell that started, for a timeout."""
    last = None
    for i, c in enumerate(nb.cells):
        if c.get("cell_type") != "code":
            continue
        if any(o.get("output_type") == "error" for o in c.get("outputs", [])):
            return i + 1
        if c.get("execution_count") is not None or c.get("metadata", {}).get("execution"):
            last = i + 1
    return last


# ---------- serve ----------


class BadRequest(ValueError):
    pass


def request_rows(body, content_type, names):
    """The rows of a request body: JSON (an object, a list of objects or lists, or
    {"instances": [...]}) or CSV with a header row; a list of dicts."""
    kind = (content_type or "application/json").split(";")[0].strip().lower()
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
    except UnicodeDecodeError:
        raise BadRequest("the body is not UTF-8")
    if kind in ("text/csv", "application/csv"):
        import csv
        import io

        reader = csv.reader(io.StringIO(text))
        rows = [r for r in reader if r]
        if not rows:
            raise BadRequest("the CSV body has no header row")
        header = rows[0]
        for r in rows[1:]:
            if len(r) != len(header):
                raise BadRequest("a CSV row has %d fields but the header %d" % (len(r), len(header)))
        return [dict(zip(header, r)) for r in rows[1:]]
    if kind in ("application/json", "application/x-json", "application/jsonlines", "application/x-jsonlines"):
        try:
            if "jsonlines" in kind:
                data = [json.loads(line) for line in text.splitlines() if line.strip()]
            else:
                data = json.loads(text)
        except ValueError as e:
            raise BadRequest("malformed JSON: %s" % e)
        if isinstance(data, dict) and "instances" in data:
            data = data["instances"]
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list):
            raise BadRequest("expected an object, a list of objects or {\"instances\": [...]}")
        rows = []
        for item in data:
            if isinstance(item, dict):
                rows.append(item)
            elif isinstance(item, list) and len(item) == len(names):
                rows.append(dict(zip(names, item)))
            else:
                raise BadRequest("each instance must be an object of the features (%s) or a list of %d values" % (", ".join(names), len(names)))
        return rows
    raise BadRequest("unsupported content type %s (send application/json or text/csv)" % content_type)


def rows_frame(rows, cols, names, skip=()):
    """The request's rows as a typed DataFrame of the feature columns (without a signature's
    feature list: every field of the rows but the label and keys)."""
    import pandas as pd

    if not names:
        names = []
        for r in rows:
            names.extend(k for k in r if k not in names and k not in skip)
    missing = sorted({n for n in names if not any(n in r for r in rows)}) if rows else []
    if missing:
        raise BadRequest("missing feature(s): %s" % ", ".join(missing))
    frame = pd.DataFrame.from_records([{n: r.get(n) for n in names} for r in rows], columns=names)
    frame = frame.astype("object")
    try:
        return mlp_data.typed_frame(frame, [c for c in (cols or []) if c.get("name") in names])
    except ValueError as e:
        raise BadRequest(str(e))


def response(predictions, accept):
    kind = (accept or "application/json").split(";")[0].strip().lower()
    if kind in ("text/csv", "application/csv"):
        lines = ["prediction"] + [mlp_data.format_value(p) for p in predictions]
        return ("\n".join(lines) + "\n").encode("utf-8"), "text/csv"
    return json.dumps({"predictions": predictions}, default=_json_default).encode("utf-8"), "application/json"


def serve(config):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    step = config["step"]
    # Bound first, so a port in use fails before the model loads; requests wait in the
    # socket's backlog until "listening" is printed and serving starts (with Handler below).
    host = config.get("host") or "127.0.0.1"
    port = int(config.get("port") if config.get("port") is not None else 8080)
    try:
        server = ThreadingHTTPServer((host, port), BaseHTTPRequestHandler)
    except OSError as e:
        if e.errno in (98, 48, 10048):
            raise Failure("port %d is in use (pass --port)" % port, PORT_IN_USE)
        raise Failure("%s: cannot listen on %s:%d: %s" % (step, host, port, e))
    try:
        model = load(config, step)
    except BaseException:
        server.server_close()
        raise
    cols = columns_of(config, model)
    names = feature_names(config, model, [c["name"] for c in cols or []])
    kind = prediction_kind(config, model)
    skip = [setting(config, model, "label")] + list(setting(config, model, "keys", []))
    custom_input = model.input_fn is not mlp_serving.default_input_fn
    custom_output = model.output_fn is not mlp_serving.default_output_fn
    info = {"status": "ok", "name": config.get("name") or step, "version": config.get("version"), "features": names}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # A reply is written as headers, then body: with Nagle's algorithm the body waits for
        # the client's (delayed) ACK of the headers, about 40 ms on every kept-alive request.
        disable_nagle_algorithm = True

        def reply(self, code, body, content_type="application/json"):
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def error(self, code, message):
            self.reply(code, json.dumps({"error": message}).encode("utf-8"))

        def do_GET(self):
            if self.path in ("/ping", "/health"):
                self.reply(200, json.dumps(info).encode("utf-8"))
            else:
                self.error(404, "not found (GET /ping, POST /invocations)")

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path != "/invocations":
                self.error(404, "not found (GET /ping, POST /invocations)")
                return
            content_type = self.headers.get("Content-Type") or "application/json"
            accept = self.headers.get("Accept") or "application/json"
            if accept.strip() == "*/*":
                accept = "application/json"
            try:
                if custom_input:
                    data = model.input_fn(body, content_type)
                else:
                    data = rows_frame(request_rows(body, content_type, names), cols, names, skip)
            except Exception as e:
                self.error(400, one_line(e))
                return
            try:
                if custom_output:
                    out = model.output_fn(model.predict_fn(data, model.model), accept)
                    if isinstance(out, tuple):
                        out, accept = out
                    out = out.encode("utf-8") if isinstance(out, str) else out
                else:
                    out, accept = response([cast_prediction(v, kind) for v in predict(model, data)], accept)
            except Exception as e:
                traceback.print_exc()
                self.error(500, "%s: %s" % (type(e).__name__, one_line(e)))
                return
            self.reply(200, out, accept)

        def log_message(self, fmt, *args):
            log("%s %s" % (self.address_string(), fmt % args))

    server.RequestHandlerClass = Handler
    server.daemon_threads = True
    print("listening http://%s:%d" % (host, server.server_address[1]), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


# ---------- dispatch ----------

KINDS = {"train": train, "tune": tune, "evaluate": evaluate, "score": score, "notebook": notebook, "serve": serve}


def main(argv):
    if len(argv) >= 2 and argv[0] == "entry":
        return cmd_entry(argv[1:])
    if len(argv) != 2 or argv[0] not in KINDS:
        log(__doc__)
        log("mlp: usage: mlp_model.py %s CONFIG.json" % "|".join(KINDS))
        return 2
    kind, path = argv
    try:
        with open(path, encoding="utf-8") as f:
            config = json.load(f)
    except (OSError, ValueError) as e:
        log("mlp: cannot read the step's configuration %s: %s" % (path, one_line(e)))
        return 2
    config.setdefault("step", kind)
    if config.get("project_dir"):
        os.environ["MLP_PROJECT_DIR"] = config["project_dir"]
    try:
        return KINDS[kind](config) or 0
    except Failure as e:
        log("mlp: " + str(e))
        return e.code
    except Exception as e:
        traceback.print_exc()
        name = missing_module(e)
        if name:
            log("mlp: " + cannot_import(config["step"], name))
        else:
            log("mlp: %s: %s failed with %s: %s" % (config["step"], kind, type(e).__name__, one_line(e)))
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
