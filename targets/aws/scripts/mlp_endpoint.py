"""mlp endpoint handlers: the module SAGEMAKER_PROGRAM names where the serving container's own
defaults do not fit the model (TensorFlow models, served by the PyTorch inference container,
whose default handlers expect torch tensors). It serves the training's entry script through
mlp_serving, as `mlp serve` and the Slurm endpoints do: the entry's model_fn, input_fn,
predict_fn and output_fn, and mlp's defaults for the ones it leaves out. The training wrapper
(mlp_entry.py) copies this folder to $SM_MODEL_DIR/code with the model's signature."""
import json
import os

import mlp_serving

HERE = os.path.dirname(os.path.abspath(__file__))
SIGNATURE = "mlp_model.json"


def model_fn(model_dir):
    with open(os.path.join(model_dir, SIGNATURE), encoding="utf-8") as f:
        entry = json.load(f)["entry"]
    return mlp_serving.Model(os.path.join(HERE, entry), model_dir)


def transform_fn(model, body, content_type, accept):
    """One request through the entry's handlers: (response body, content type)."""
    return model.invoke(body, content_type, accept or "application/json")
