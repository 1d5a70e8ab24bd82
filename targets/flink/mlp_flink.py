"""The Python UDF of the Flink stream deployments.

Flink SQL (registered by the job: CREATE TEMPORARY SYSTEM FUNCTION mlp_predict
AS 'mlp_flink.predict' LANGUAGE PYTHON; shipped with sql-client.sh -pyfs mlp_flink.py):

    mlp_predict(model_dir, entry, value_1, ..., value_n) -> STRING

model_dir  the model folder (MLP_MODEL_PATH in the environment, when set, wins)
entry      the training entry script as written in the .mlp file: absolute, or relative
           to MLP_PROJECT_DIR, or found on the Python path (ship it with -pyfs too)
value_i    the model's input columns, in the order the model was trained on

Each row is scored like an endpoint request (mlp_serving's contract): the JSON body
[[value_1, ..., value_n]] goes through input_fn(body, "application/json"),
predict_fn(data, model) and output_fn(prediction, "application/json"); the first
prediction is returned as text (true/false for booleans), and the SQL casts it to the
label's type. Standard library plus PyFlink.
"""
import json
import os

from mlp_serving import cached  # mlp: the serving module is written in here when shipped


def _text(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    return json.dumps(value)


def score(model_dir, entry, values):
    """One row's prediction as text: the whole contract, without Flink."""
    model = cached(entry, os.environ.get("MLP_MODEL_PATH") or model_dir)
    out, _ = model.invoke(json.dumps([list(values)], default=str), "application/json")
    result = json.loads(out) if isinstance(out, (bytes, str)) else out
    if isinstance(result, (list, tuple)):
        result = result[0] if result else None
    return _text(result)


try:
    from pyflink.table import DataTypes
    from pyflink.table.udf import udf
except ImportError:  # outside Flink (tests, tools): score() is the contract
    predict = None
else:
    predict = udf(lambda model_dir, entry, *values: score(model_dir, entry, values), result_type=DataTypes.STRING())
