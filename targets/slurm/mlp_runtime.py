"""mlp Slurm runtime: the training contract, tuning trials, gates, the model
registry, serving, batch scoring and notebooks, for the jobs of one pipeline.

Models are loaded and scored through mlp_serving.py beside this file (the serving
contract the Flink target's UDF shares); the model contract every target shares is
mlp_model.py (signatures, evaluation with mlp's own metrics, tuning's validation split, CSV
scoring), mlp_data.py (what entry scripts import) and mlp_metrics.py, also beside this file.

Command line (used by the .sbatch scripts):
    mlp_runtime.py entry SCRIPT [ARGS...]   run the user's entry script under the contract
    mlp_runtime.py signature MODEL_DIR ENTRY write the model's signature (mlp_model.json) from MLP_*
    mlp_runtime.py publish STEP DIR          point latest/STEP at DIR (atomically)
    mlp_runtime.py publish-tables            point <warehouse>/latest at this run's tables
"""
import datetime
import errno
import json
import math
import os
import random
import re
import runpy
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
import mlp_model  # noqa: E402  beside this file: the folder of the running script is on sys.path
import mlp_serving

# ---------- environment and files ----------


def log(message):
    print("mlp: " + message, file=sys.stderr, flush=True)


def env(name, default=None):
    value = os.environ.get(name)
    if value:
        return value
    if default is not None:
        return default
    raise SystemExit("mlp: %s is not set; submit the pipeline with submit.sh or run the step's .sbatch script" % name)


def location(loc):
    """A location from a step's configuration: a literal path or URI, or a path under
    one of the directories the jobs export (MLP_TABLES_DIR, MLP_RUN_DIR, MLP_LATEST_DIR)."""
    if not loc.get("env"):
        return loc["path"]
    root = env(loc["env"]).rstrip("/")
    return root + "/" + loc["path"] if loc["path"] else root


def step_dir(config):
    return os.path.join(env("MLP_RUN_DIR"), config["slug"])


def project_path(path):
    """Paths in the .mlp file (entry scripts, notebooks) are relative to the project."""
    if os.path.isabs(path):
        return path
    return os.path.join(env("MLP_PROJECT_DIR", os.getcwd()), path)


def read_json(path, default=None):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def write_json(path, data):
    """Writes whole or not at all: readers never see half a file."""
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def relink(target, path):
    """Points the symlink at path to target, replacing any old link atomically."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = "%s.tmp.%d" % (path, os.getpid())
    if os.path.lexists(tmp):
        os.remove(tmp)
    os.symlink(target, tmp)
    os.replace(tmp, path)


def publish(slug, target):
    """latest/<step> names the newest good output of a model step; scheduled jobs read it."""
    relink(os.path.realpath(target), os.path.join(env("MLP_LATEST_DIR"), slug))


def publish_tables():
    """<warehouse>/latest names the tables of the newest run that succeeded as a whole; a run
    submitted before the one latest names never replaces it (runs may end out of order)."""
    import fcntl

    data = env("MLP_DATA_DIR")
    run = env("MLP_RUN_ID")
    if "://" in data:
        raise SystemExit("mlp: the warehouse %s is no shared file system path; the jobs read their tables from one" % data)
    folder = os.path.join(data, "runs", run)
    if not os.path.isdir(folder):
        raise SystemExit("mlp: %s holds no tables of run %s" % (folder, run))
    record = {"run_id": run, "pipeline": env("MLP_PIPELINE"), "submitted": os.environ.get("MLP_RUN_SUBMITTED") or now(), "finished": now()}
    write_json(os.path.join(folder, "_mlp_run.json"), record)
    with open(os.path.join(data, ".latest.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = read_json(os.path.join(data, "latest", "_mlp_run.json"), {}) or {}
        if current.get("submitted", "") > record["submitted"]:
            log("latest stays at run %s, submitted after run %s" % (current.get("run_id"), run))
            return
        relink(os.path.join("runs", run), os.path.join(data, "latest"))
    log("latest tables: run %s (%s)" % (run, folder))


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------- the training contract (SageMaker's conventions, one copy in mlp_model.py) ----------

finite = mlp_model.finite
hp_env = mlp_model.hp_env
hp_args = mlp_model.hp_args


def slurm_hosts():
    nodelist = os.environ.get("SLURM_JOB_NODELIST")
    current = os.environ.get("SLURMD_NODENAME") or socket.gethostname()
    if nodelist:
        try:
            out = subprocess.run(["scontrol", "show", "hostnames", nodelist], capture_output=True, text=True, check=True).stdout
            hosts = out.split()
            if hosts:
                return hosts, current
        except (OSError, subprocess.CalledProcessError):
            pass
    return [current], current


def cmd_entry(argv):
    """Runs the user's entry script as SageMaker would: hyperparameters in SM_HPS,
    SM_HP_<NAME> and as arguments, the working directory is the script's folder."""
    if not argv:
        raise SystemExit("usage: mlp_runtime.py entry SCRIPT [ARGS...]")
    script = os.path.abspath(argv[0])
    hps = json.loads(os.environ.get("SM_HPS") or "{}")
    os.environ.update(hp_env(hps))
    hosts, current = slurm_hosts()
    os.environ.setdefault("SM_HOSTS", json.dumps(hosts))
    os.environ.setdefault("SM_CURRENT_HOST", current)
    for name in ("SM_MODEL_DIR", "SM_OUTPUT_DATA_DIR"):
        if os.environ.get(name):
            os.makedirs(os.environ[name], exist_ok=True)
    path = os.environ.get("PYTHONPATH")
    if HERE not in (path or "").split(os.pathsep):
        os.environ["PYTHONPATH"] = HERE + (os.pathsep + path if path else "")
    sys.argv = [script] + hp_args(hps) + list(argv[1:])
    sys.path.insert(0, os.path.dirname(script))
    os.chdir(os.path.dirname(script))
    runpy.run_path(script, run_name="__main__")


# ---------- the model contract (mlp_model.py, shared with every target) ----------

MODEL_KEYS = ("entry", "framework", "task", "label", "keys", "features", "columns", "seed")


def model_config(config, **more):
    """The configuration mlp_model.py's functions take, from a step's configuration."""
    out = {k: config.get(k) for k in MODEL_KEYS}
    out["step"] = config["step"]
    out["project_dir"] = env("MLP_PROJECT_DIR", os.getcwd())
    out.update(more)
    return out


def env_model_config(entry):
    """The model contract as the training job exported it (MLP_LABEL, MLP_FEATURES, ...)."""
    def listed(name):
        return json.loads(os.environ.get(name) or "[]")
    return {
        "step": os.environ.get("SLURM_JOB_NAME") or "train",
        "entry": entry,
        "framework": os.environ.get("MLP_FRAMEWORK") or None,
        "task": os.environ.get("MLP_TASK") or None,
        "label": os.environ.get("MLP_LABEL") or None,
        "keys": listed("MLP_KEYS"),
        "features": listed("MLP_FEATURES"),
        "columns": listed("MLP_COLUMNS"),
    }


def write_signature(config, model_dir):
    """mlp_model.json beside the model, as mlp_model.py's train writes it; None, or why not."""

    if not os.path.isdir(model_dir) or not mlp_model.has_model(model_dir):
        return "the entry script %s wrote nothing to SM_MODEL_DIR (%s); save the model there, e.g. mlp_data.save_model(model)" % (config.get("entry"), model_dir)
    write_json(os.path.join(model_dir, mlp_model.SIGNATURE), mlp_model.signature(config))
    return None


def cmd_signature(model_dir, entry):
    problem = write_signature(env_model_config(entry), model_dir)
    if problem:
        log(problem)
        return 1
    return 0


def measure(config, model_dir, data, requires, metrics, out):
    """mlp_model.py's evaluate in this process: the model loaded with its entry's handlers,
    the data scored, each metric computed by mlp. The result (as mlp_model writes it) and
    the cause of a failure other than a failed check, or None."""

    cfg = model_config(config, model_dir=model_dir, data=data, requires=requires, metrics=metrics, out=out)
    if os.path.exists(out):
        os.remove(out)
    error = None
    try:
        mlp_model.evaluate(cfg)
    except mlp_model.Failure as e:
        if e.code != mlp_model.GATE_FAILED:
            error = str(e)
    except Exception as e:  # the model or the data broke: the step says why and fails
        traceback.print_exc()
        name = mlp_model.missing_module(e)
        error = mlp_model.cannot_import(config["step"], name) if name else "%s: %s" % (type(e).__name__, mlp_model.one_line(e))
    result = read_json(out)
    return (result if isinstance(result, dict) else {}), error


# ---------- tune: one array task per trial ----------


def grid_point(search, index):
    """Task index -> grid combination; the last hyperparameter varies fastest."""
    point = {}
    for name, spec in reversed(search):
        values = spec["choice"]
        point[name] = values[index % len(values)]
        index //= len(values)
    return {name: point[name] for name, _ in search}


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
    return point


def optuna_study(config, folder, seed):
    import warnings

    import optuna

    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = os.environ.get("MLP_OPTUNA_STORAGE")
    if not storage:
        path = os.path.join(folder, "optuna.journal")
        try:
            from optuna.storages.journal import JournalFileBackend

            backend = JournalFileBackend(path)
        except ImportError:
            backend = optuna.storages.JournalFileStorage(path)
        storage = optuna.storages.JournalStorage(backend)
    name = "%s.%s.%s" % (config["pipeline"], config["step"], env("MLP_RUN_ID"))
    return optuna.create_study(
        study_name=name,
        storage=storage,
        direction=config["objective"]["direction"],
        sampler=optuna.samplers.TPESampler(seed=seed),
        load_if_exists=True,
    )


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


def tune_trial(config, launch):
    if launch[:1] == ["--"]:
        launch = launch[1:]
    if not launch:
        raise SystemExit("usage: tune_<step>.py trial -- LAUNCH COMMAND...")
    task = int(env("SLURM_ARRAY_TASK_ID", "0"))
    folder = step_dir(config)
    trial_dir = os.path.join(folder, "trials", str(task))
    os.makedirs(trial_dir, exist_ok=True)
    strategy = config["strategy"]
    # A requeued task (near its time limit, preempted) runs the same trial again: the same
    # hyperparameters (bayesian: the same Optuna trial) and checkpoint folder, so it resumes.
    earlier = read_json(os.path.join(trial_dir, "trial.json"))
    resumed = isinstance(earlier, dict) and earlier.get("status") in ("running", "requeued") and isinstance(earlier.get("params"), dict)
    study = trial = None
    if strategy == "bayesian":
        study = optuna_study(config, folder, task)
    if resumed:
        params = earlier["params"]
        trial = earlier.get("optuna_trial")
    elif strategy == "grid":
        params = grid_point(config["search"], task)
    elif strategy == "random":
        params = random_point(config["search"], random.Random(task))
    else:
        asked = study.ask(optuna_space(config["search"]))
        params = dict(asked.params)
        trial = asked.number
    hps = dict(config["hyperparams"])
    hps.update(params)
    record = {"task": task, "strategy": strategy, "params": params, "hyperparams": hps, "status": "running", "started": now()}
    if resumed:
        record["restarts"] = int(earlier.get("restarts") or 0) + 1
    if trial is not None:
        record["optuna_trial"] = trial
    write_json(os.path.join(trial_dir, "trial.json"), record)
    log("trial %d: %s" % (task, json.dumps(params, sort_keys=True)))
    metric = config["objective"]["metric"]
    try:
        data = validation_split(config, folder)
    except Exception as e:
        record.update(finished=now(), status="failed", error=str(e))
        write_json(os.path.join(trial_dir, "trial.json"), record)
        if study is not None:
            import optuna

            study.tell(trial, state=optuna.trial.TrialState.FAIL)
        log("trial %d: %s" % (task, e))
        return 1
    child = dict(os.environ)
    # The trial sees the training rows and the validation rows, never a gate's data.
    for name in [k for k in child if k.startswith("SM_CHANNEL_")] + ["MLP_METRICS_FILE"]:
        child.pop(name, None)
    child["SM_CHANNEL_TRAIN"] = data["train"]
    child["SM_CHANNEL_VALIDATION"] = data["validation"]
    child["SM_CHANNELS"] = json.dumps(["train", "validation"])
    child["SM_HPS"] = json.dumps(hps, sort_keys=True, separators=(",", ":"))
    child["SM_MODEL_DIR"] = os.path.join(trial_dir, "model")
    child["SM_OUTPUT_DATA_DIR"] = os.path.join(trial_dir, "output")
    child["MLP_TRIAL"] = str(task)
    child["MLP_CHECKPOINT_DIR"] = child["SM_CHECKPOINT_DIR"] = os.path.join(trial_dir, "checkpoint")
    for name in ("SM_MODEL_DIR", "SM_OUTPUT_DATA_DIR", "MLP_CHECKPOINT_DIR"):
        os.makedirs(child[name], exist_ok=True)
    proc = subprocess.Popen(launch, env=child)
    signalled = []

    def forward(signum, _frame):
        # The job's script got Slurm's warning and requeues the task once this trial has ended.
        signalled.append(signum)
        proc.send_signal(signum)

    signal.signal(signal.SIGUSR1, forward)
    code = proc.wait()
    record.update(finished=now(), exit_code=code)
    value = None
    if signalled and code != 0:
        # The job's script requeues the task (mlp_launch): this trial runs again and resumes.
        record["status"] = "requeued"
        write_json(os.path.join(trial_dir, "trial.json"), record)
        log("trial %d: stopped near the time limit; it resumes from %s" % (task, child["MLP_CHECKPOINT_DIR"]))
        return code
    if code != 0:
        record["status"] = "failed"
    else:
        problem = write_signature(config, child["SM_MODEL_DIR"])
        result = {}
        if problem is None:
            # mlp scores the trial on the validation rows; nothing the script wrote counts.
            result, problem = measure(config, child["SM_MODEL_DIR"], data["validation"], [], [metric], os.path.join(trial_dir, "validation.json"))
        value = (result.get("metrics") or {}).get(metric)
        record["metrics"] = result.get("metrics") or {}
        if problem is None and not finite(value):
            problem = "%s could not be computed: %s" % (metric, (result.get("not_computed") or {}).get(metric, "no value"))
        if problem is not None:
            record["status"] = "no-metric"
            record["error"] = problem
            log("trial %d: %s; it does not count" % (task, problem))
        else:
            record["status"] = "ok"
            record["value"] = value
    write_json(os.path.join(trial_dir, "trial.json"), record)
    if study is not None:
        import optuna

        if record["status"] == "ok":
            study.tell(trial, value)
        else:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
    if code != 0:
        log("trial %d: training exited with %d" % (task, code))
        return code
    return 0


def validation_split(config, folder):
    """The tune's validation split, carved once per run by mlp_model.py (deterministically: a
    row's place depends only on its key columns, else its values) into FOLDER/data/{train,
    validation}; the array's tasks share it (the first to finish publishes it with a rename)."""

    target = os.path.abspath(os.path.join(folder, "data"))
    parts = {name: os.path.join(target, name) for name in ("train", "validation")}
    if all(os.path.isdir(p) for p in parts.values()):
        return parts
    source = location(config["train_data"]) if config.get("train_data") else None
    if source and source.startswith("file://"):
        source = source[len("file://"):]
    scratch = tempfile.mkdtemp(prefix=".split.", dir=folder)
    try:
        source = as_csv(config, source, os.path.join(scratch, "source"))
        cfg = model_config(config, channels={"train": source}, validation_fraction=config.get("validation_fraction"))
        try:
            mlp_model.carve(cfg, scratch)
        except mlp_model.Failure as e:
            raise RuntimeError(str(e))
        try:
            os.rename(os.path.join(scratch, "data"), target)
        except OSError:
            if not all(os.path.isdir(p) for p in parts.values()):
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return parts


def as_csv(config, source, target):
    """A channel mlp_model.py's carve can split: CSV as it is; Parquet (what the Spark jobs
    write) read with pyarrow and written as CSV in DuckDB's conventions (mlp_data.format_value),
    so the split is the same rows whatever the format, and mlp_data reads it back typed."""
    import csv

    import mlp_data

    if not source or not os.path.exists(source) or mlp_data.data_files(source, ".csv"):
        return source
    if not mlp_data.data_files(source, ".parquet"):
        return source
    if not mlp_data._pyarrow():
        raise RuntimeError("the training data at %s is Parquet and %s cannot import pyarrow to read it (install pyarrow, or write CSV)" % (source, sys.executable))
    rows = mlp_data.read(source, None, pandas=False)
    kinds = {c["name"]: c.get("type") for c in (config.get("columns") or [])}
    header = [c["name"] for c in (config.get("columns") or [])] or (list(rows[0]) if rows else [])
    os.makedirs(target, exist_ok=True)
    with open(os.path.join(target, "part-0.csv"), "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([mlp_data.format_value(row.get(name), kinds.get(name)) for name in header])
    return target


def tune_select(config):
    folder = step_dir(config)
    trials = []
    failed = []
    root = os.path.join(folder, "trials")
    for name in sorted(os.listdir(root) if os.path.isdir(root) else [], key=lambda n: (len(n), n)):
        record = read_json(os.path.join(root, name, "trial.json"))
        if isinstance(record, dict) and record.get("status") == "ok" and finite(record.get("value")):
            trials.append(record)
        else:
            # Failed, without the metric, or ended before it recorded anything (killed, cancelled).
            failed.append({"task": int(name) if name.isdigit() else name,
                           "status": record.get("status", "unfinished") if isinstance(record, dict) else "unfinished",
                           "exit_code": record.get("exit_code") if isinstance(record, dict) else None})
    # The array ran to its end (afterany): trials may have failed; enough must have succeeded.
    needed = max(1, int(config.get("min_trials") or 1))
    summary = {"step": config["step"], "trials_ok": len(trials), "trials_planned": config["trials"], "min_trials": needed, "failed": failed}
    if len(trials) < needed:
        write_json(os.path.join(folder, "best.json"), dict(summary, best=None))
        log("%d of %d trials of %s produced %r, fewer than min_trials = %d; nothing to select" % (
            len(trials), config["trials"], config["step"], config["objective"]["metric"], needed))
        return 1
    if failed:
        log("%d trial(s) of %s did not count: %s" % (len(failed), config["step"], json.dumps(failed, sort_keys=True)))
    sign = 1 if config["objective"]["direction"] == "maximize" else -1
    best = max(trials, key=lambda t: (sign * t["value"], -t["task"]))
    relink(os.path.join("trials", str(best["task"]), "model"), os.path.join(folder, "model"))
    relink(os.path.join("trials", str(best["task"]), "output"), os.path.join(folder, "output"))
    write_json(os.path.join(folder, "best.json"), {
        "step": config["step"],
        "objective": config["objective"],
        "best": best,
        "trials_ok": len(trials),
        "trials_planned": config["trials"],
        "min_trials": needed,
        "failed": failed,
    })
    publish(config["slug"], folder)
    log("best trial of %s: task %d, %s = %r, %s" % (config["step"], best["task"], config["objective"]["metric"], best["value"], json.dumps(best["params"], sort_keys=True)))
    return 0


# ---------- evaluate: the gate ----------

OPS = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def evaluate(config):
    """The gate: mlp loads the model through its entry's handlers, scores the gate's data and
    computes each required metric itself (mlp_model.py); metrics the training wrote are not read."""
    home = location(config["home"])
    data = location(config["data"])
    if data.startswith("file://"):
        data = data[len("file://"):]
    folder = step_dir(config)
    os.makedirs(folder, exist_ok=True)
    out = os.path.join(folder, "evaluation.json")
    result, error = measure(config, os.path.join(home, "model"), data, config["requires"], [], out)
    checks = result.get("checks")
    if not isinstance(checks, list) or not checks and config["requires"]:
        checks = [{"metric": r["metric"], "op": r["op"], "threshold": r["value"], "value": None, "ok": False} for r in config["requires"]]
    passed = error is None and result.get("passed") is True and all(c.get("ok") for c in checks)
    for c in checks:
        log("gate %s: %s = %r, required %s %r: %s" % (config["step"], c["metric"], c["value"], c["op"], c["threshold"], "ok" if c["ok"] else "FAILED"))
    record = {
        "step": config["step"],
        "model": os.path.realpath(home),
        "data": data,
        "passed": passed,
        "checks": checks,
        "metrics": result.get("metrics") or {},
        "rows": result.get("rows"),
        "time": now(),
    }
    if result.get("not_computed"):
        record["not_computed"] = result["not_computed"]
    if error:
        record["error"] = error
        log("gate %s: %s" % (config["step"], error))
    write_json(out, record)
    if not passed:
        log("gate %s failed: the steps after it do not run" % config["step"])
        return 1
    publish(config["slug"], home)
    return 0


# ---------- register: a versioned model directory ----------


def register(config):
    import fcntl

    home = location(config["home"])
    source_model = os.path.join(home, "model")
    if not os.path.isdir(source_model):
        log("register %s: no model at %s" % (config["step"], source_model))
        return 1
    registry = os.path.join(env("MLP_MODEL_DIR"), "registry", config["name"])
    os.makedirs(registry, exist_ok=True)
    with open(os.path.join(registry, ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        versions = [int(n) for n in os.listdir(registry) if n.isdigit()]
        version = max(versions, default=0) + 1
        while True:
            try:
                os.mkdir(os.path.join(registry, str(version)))
                break
            except OSError as e:
                if e.errno != errno.EEXIST:
                    raise
                version += 1
    folder = os.path.join(registry, str(version))
    shutil.copytree(source_model, os.path.join(folder, "model"))
    if os.path.isdir(os.path.join(home, "output")):
        shutil.copytree(os.path.join(home, "output"), os.path.join(folder, "output"))
    gates = {}
    for gate in config["gates"]:
        result = read_json(os.path.join(env("MLP_RUN_DIR"), gate, "evaluation.json"))
        if result is not None:
            gates[gate] = result
    metadata = {
        "name": config["name"],
        "version": version,
        "stage": config["stage"],
        "pipeline": config["pipeline"],
        "pipeline_version": config["pipeline_version"],
        "step": config["step"],
        "run_id": env("MLP_RUN_ID"),
        "slurm_job_id": os.environ.get("SLURM_JOB_ID"),
        "source": os.path.realpath(source_model),
        "created": now(),
        "framework": config["framework"],
        "entry": config["entry"],
        "task": config["task"],
        "label": config["label"],
        "inputs": config["inputs"],
        # The exact tables it was trained and gated on: the run's own folder, never `latest`.
        "data": {name: os.path.realpath(location(loc)) for name, loc in sorted(config.get("data", {}).items())},
        # What mlp measured: the first gate's metrics on its data (nothing the script wrote).
        "metrics": next((g.get("metrics") for g in gates.values() if isinstance(g.get("metrics"), dict)), None),
        "gates": gates,
    }
    write_json(os.path.join(folder, "metadata.json"), metadata)
    with open(os.path.join(registry, ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        latest = read_json(os.path.join(registry, "latest", "metadata.json"), {}) or {}
        if version > int(latest.get("version", 0)):
            relink(str(version), os.path.join(registry, "latest"))
        if config["stage"]:
            relink(str(version), os.path.join(registry, config["stage"]))
    relink(folder, step_dir(config))
    publish(config["slug"], folder)
    log("registered %s version %d at %s" % (config["name"], version, folder))
    print(json.dumps({"name": config["name"], "version": version, "path": folder}))
    return 0


# ---------- deploy: endpoint (serving job) ----------


def serve(config):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    model_dir = location(config["model"])
    model = mlp_serving.Model(config["entry"], model_dir)
    port = int(env("MLP_SERVE_PORT", "8080")) + int(os.environ.get("SLURM_PROCID") or 0)
    host = env("MLP_SERVE_HOST", "0.0.0.0")

    class Handler(BaseHTTPRequestHandler):
        def reply(self, code, body, content_type="application/json"):
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path in ("/ping", "/health"):
                self.reply(200, b"{\"status\":\"ok\"}")
            else:
                self.reply(404, b"{\"error\":\"not found\"}")

        def do_POST(self):
            if self.path != "/invocations":
                self.reply(404, b"{\"error\":\"not found\"}")
                return
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                out, kind = model.invoke(body, self.headers.get("Content-Type"), self.headers.get("Accept") or "application/json")
                self.reply(200, out, kind)
            except Exception as e:  # the client sees the error, the server keeps serving
                self.reply(500, json.dumps({"error": str(e)}).encode("utf-8"))

        def log_message(self, fmt, *args):
            log("%s %s" % (self.address_string(), fmt % args))

    server = ThreadingHTTPServer((host, port), Handler)
    node = os.environ.get("SLURMD_NODENAME") or socket.gethostname()
    task = os.environ.get("SLURM_PROCID") or "0"
    write_json(os.path.join(step_dir(config), "endpoints", task + ".json"), {
        "step": config["step"],
        "host": node,
        "port": port,
        "url": "http://%s:%d/invocations" % (node, port),
        "model": os.path.realpath(model_dir),
        "slurm_job_id": os.environ.get("SLURM_JOB_ID"),
        # A serving job requeues itself before its time limit: how many times this one has.
        "restarts": int(os.environ.get("SLURM_RESTART_COUNT") or 0),
    })
    log("serving %s on %s:%d (POST /invocations, GET /ping)" % (config["step"], node, port))
    server.serve_forever()


# ---------- deploy: batch scoring ----------

CONTENT_TYPES = {".json": "application/json", ".jsonl": "application/jsonlines", ".csv": "text/csv", ".parquet": "application/x-parquet"}
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def data_files(path):
    if os.path.isfile(path):
        return [(path, os.path.basename(path))]
    files = []
    for folder, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in sorted(names):
            if not name.startswith((".", "_")):
                full = os.path.join(folder, name)
                files.append((full, os.path.relpath(full, path)))
    return files


def copy_command(uri):
    custom = os.environ.get("MLP_COPY")
    if custom:
        return shlex.split(custom)
    scheme = uri.split("://", 1)[0].lower()
    if scheme in ("s3", "s3a"):
        return ["aws", "s3", "cp", "--recursive"]
    if scheme == "hdfs":
        return ["hdfs", "dfs", "-put", "-f"]
    if scheme == "gs":
        return ["gsutil", "-m", "cp", "-r"]
    raise SystemExit("mlp: cannot write to %s; set MLP_COPY to a command taking SOURCE_DIR DEST_URI" % uri)


def score(config):
    model_dir = location(config["model"])
    data = location(config["data"])
    output = config["output"]
    if data.startswith("file://"):
        data = data[len("file://"):]
    if SCHEME.match(data) or not os.path.exists(data):
        log("score %s: no data at %s (batch scoring reads a local or shared-filesystem path)" % (config["step"], data))
        return 1
    model = None
    remote = bool(SCHEME.match(output)) and not output.startswith("file://")
    target = os.path.join(step_dir(config), "scores") if remote else project_path(output[len("file://"):] if output.startswith("file://") else output)
    os.makedirs(target, exist_ok=True)
    count = 0
    for path, rel in data_files(data):
        dest = os.path.join(target, rel + ".out")
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if path.lower().endswith(".csv"):
            # A table: scored as `mlp run` scores it (mlp_model.py): typed by the model's
            # signature, its feature columns to predict_fn, the rows with a prediction column.

            try:
                mlp_model.score({"step": config["step"], "entry": config["entry"], "project_dir": env("MLP_PROJECT_DIR", os.getcwd()),
                                 "model_dir": model_dir, "input": path, "output": dest})
            except mlp_model.Failure as e:
                log("score %s: %s" % (config["step"], e))
                return 1
            count += 1
            continue
        if model is None:
            model = mlp_serving.Model(config["entry"], model_dir)
        kind = CONTENT_TYPES.get(os.path.splitext(path)[1].lower(), "application/octet-stream")
        with open(path, "rb") as f:
            body = f.read()
        out, _ = model.invoke(body, kind, "application/json")
        with open(dest, "wb") as f:
            f.write(out)
        count += 1
    write_json(os.path.join(target, "_mlp_scores.json"), {
        "step": config["step"],
        "model": os.path.realpath(model_dir),
        "data": data,
        "files": count,
        "run_id": env("MLP_RUN_ID"),
        "time": now(),
    })
    if remote:
        command = copy_command(output) + [target, output]
        code = subprocess.call(command)
        if code != 0:
            log("score %s: copying the scores to %s failed (%s exited with %d)" % (config["step"], output, command[0], code))
            return code
    log("scored %d file(s) of %s into %s" % (count, data, output))
    return 0


# ---------- notebook: papermill ----------


def notebook(config):
    folder = step_dir(config)
    os.makedirs(folder, exist_ok=True)
    source = project_path(config["path"])
    result = os.path.join(folder, os.path.basename(config["path"]) or "report.ipynb")
    parameters = dict(config["parameters"])
    inputs = {name: location(loc) for name, loc in config["inputs"]}
    parameters.setdefault("mlp_inputs", inputs)
    params_file = os.path.join(folder, "parameters.json")
    write_json(params_file, parameters)
    command = shlex.split(os.environ.get("MLP_PAPERMILL") or "papermill")
    command += [source, result, "-f", params_file, "--cwd", env("MLP_PROJECT_DIR", os.getcwd())]
    log("running notebook %s -> %s" % (source, result))
    return subprocess.call(command)


# ---------- dispatch ----------


def main(kind, config, argv):
    if kind == "tune":
        mode = argv[0] if argv else ""
        if mode == "trial":
            return tune_trial(config, argv[1:])
        if mode == "select":
            return tune_select(config)
        raise SystemExit("usage: tune_<step>.py trial -- LAUNCH... | select")
    if kind == "evaluate":
        return evaluate(config)
    if kind == "register":
        return register(config)
    if kind == "serve":
        return serve(config)
    if kind == "score":
        return score(config)
    if kind == "notebook":
        return notebook(config)
    raise SystemExit("mlp: unknown step kind %r" % kind)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "entry":
        cmd_entry(sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == "signature":
        sys.exit(cmd_signature(sys.argv[2], sys.argv[3]))
    elif len(sys.argv) == 4 and sys.argv[1] == "publish":
        publish(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 2 and sys.argv[1] == "publish-tables":
        publish_tables()
    else:
        raise SystemExit(__doc__)
