"""mlp notebook runner (a SageMaker Processing job): runs the step's notebook with papermill,
injecting its parameters and mlp_inputs (a map from each input to its location), and writes
the executed notebook to the processing output (the report).

Environment: MLP_CONFIG (the step's JSON file beside this one), MLP_WAREHOUSE, MLP_RUN_ID,
MLP_MODEL_<STEP> (model artifacts of models trained in the same run)."""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
NOTEBOOK_DIR = "/opt/ml/processing/input/notebook"
OUTPUT_DIR = "/opt/ml/processing/output"


def main():
    with open(os.path.join(HERE, os.environ["MLP_CONFIG"]), encoding="utf-8") as f:
        config = json.load(f)
    inputs = {}
    for name, where in sorted(config["inputs"].items()):
        if "warehouse" in where:
            inputs[name] = os.environ["MLP_WAREHOUSE"].rstrip("/") + "/" + where["warehouse"]
        elif "env" in where and os.environ.get(where["env"]):
            inputs[name] = os.environ[where["env"]]
        elif "uri" in where:
            inputs[name] = where["uri"]
    parameters = dict(config["parameters"])
    parameters["mlp_inputs"] = inputs
    parameters["mlp_run_id"] = os.environ.get("MLP_RUN_ID", "")
    params_file = os.path.join(OUTPUT_DIR, "parameters.json")
    os.makedirs(OUTPUT_DIR, exist_ok=True)
    with open(params_file, "w", encoding="utf-8") as f:
        json.dump(parameters, f, indent=2, sort_keys=True)
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "papermill==2.6.0", "ipykernel"])
    notebook = os.path.join(NOTEBOOK_DIR, config["notebook"])
    subprocess.check_call([sys.executable, "-m", "papermill", notebook, os.path.join(OUTPUT_DIR, config["notebook"]), "-f", params_file, "--cwd", NOTEBOOK_DIR])


if __name__ == "__main__":
    main()
