"""mlp gate: an evaluate step's SageMaker Processing job. mlp computes the metrics itself (it
never reads numbers the training script wrote): it unpacks the model artifact, loads the model
through the entry's model_fn/predict_fn (or mlp_serving's pickle loader) from the code the
training copied into it, scores the gate's data and computes each metric with mlp_metrics
(mlp_model.evaluate), then writes evaluation.json (step, passed, checks, metrics, rows) for
the gate's Lambda and Choice state.

    python3 mlp_gate.py --step STEP [--require METRIC OP VALUE]...

Inputs (ProcessingInputs): this folder (the training code, with mlp's modules) at
/opt/ml/processing/input/code, the model artifact (model.tar.gz) at
/opt/ml/processing/input/model and the gate's data at /opt/ml/processing/input/data; the
evaluation goes to /opt/ml/processing/output/evaluation.json. A gate whose requires do not
hold still succeeds here: the Choice state fails the run. Arguments are data, never code.
"""
import os
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("MLP_PROCESSING_DIR") or "/opt/ml/processing"


def arguments(argv):
    step, requires, i = "evaluate", [], 0
    while i < len(argv):
        if argv[i] == "--step" and i + 1 < len(argv):
            step, i = argv[i + 1], i + 2
        elif argv[i] == "--require" and i + 3 < len(argv):
            requires.append({"metric": argv[i + 1], "op": argv[i + 2], "value": float(argv[i + 3])})
            i += 4
        else:
            raise SystemExit("mlp: unexpected argument %r" % argv[i])
    return step, requires


def unpack(folder, target):
    """Extracts every model.tar.gz under folder into target (members outside it are refused)."""
    os.makedirs(target, exist_ok=True)
    base = os.path.realpath(target)
    for root, _dirs, names in os.walk(folder):
        for name in sorted(names):
            if not name.endswith(".tar.gz"):
                continue
            with tarfile.open(os.path.join(root, name), "r:gz") as tar:
                for member in tar.getmembers():
                    where = os.path.realpath(os.path.join(target, member.name))
                    if not (where == base or where.startswith(base + os.sep)) or member.issym() or member.islnk():
                        raise SystemExit("mlp: the model artifact has an unsafe member %r" % member.name)
                tar.extractall(target)
    return target


def main(argv, root=ROOT):
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    import mlp_model

    step, requires = arguments(argv)
    model_dir = unpack(os.path.join(root, "input", "model"), os.path.join(root, "work", "model"))
    out = os.path.join(root, "output", "evaluation.json")
    sig = mlp_model.read_json(os.path.join(model_dir, mlp_model.SIGNATURE), {}) or {}
    config = {
        "step": step,
        "project_dir": os.path.join(model_dir, "code"),
        "entry": sig.get("entry"),
        "model_dir": model_dir,
        "data": os.path.join(root, "input", "data"),
        "requires": requires,
        "out": out,
    }
    try:
        mlp_model.evaluate(config)
    except mlp_model.Failure as e:
        mlp_model.log("mlp: " + str(e))
        # Written: the gate decided (or a metric could not be computed); the Choice state fails the run.
        return 0 if os.path.exists(out) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
