"""ad_click_through: will an impression be clicked? (binary classification) with PyTorch on CPU.

Inputs: the 64-d `user_embedding` and the few impression features (hour of day, weekday,
mobile, search placement, log bid); ids such as `impression_id` are left out. A small MLP
(one hidden layer) trained with Adam on binary cross-entropy.

SageMaker script mode through mlp_data. The hyperparameters are the production ones of the
sample (lr, dropout, hidden_units, batch_size, epochs, searched by `tune`); on a small local
data set a production batch (thousands of rows) would be the whole table, so the batch is
capped at a sixteenth of the rows and the number of optimiser steps is kept to at least
`min_steps` (default 0.2/lr, between 200 and 600). A tenth of the training rows is held
back to keep the weights of the epoch with the lowest validation loss (early stopping),
so a long run does not overfit the few thousand local rows. A run takes a few seconds.

Saved with torch.save (`model.pt`: weights, column encoding, standardisation);
`model_fn` rebuilds a CtrModel whose predict(frame) returns bools and predict_proba(frame)
the [P(False), P(True)] columns, sklearn style.
"""
import math
import os

import numpy as np
import pandas as pd
import torch
from torch import nn

import mlp_data

torch.set_num_threads(1)  # a small network: one thread is fastest, and trials run side by side
torch.set_flush_denormal(True)


def encoding_for(frame):
    vectors, scalars = [], []
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
            scalars.append(name)
        elif col.map(lambda v: isinstance(v, (list, tuple, np.ndarray))).all():
            vectors.append(name)
        # text columns (impression_id) are ids here: left out
    return {"vectors": vectors, "scalars": scalars}


def matrix(frame, encoding):
    parts = []
    for name in encoding["vectors"]:
        parts.append(np.array([np.asarray(v, dtype=np.float32) for v in frame[name]], dtype=np.float32))
    if encoding["scalars"]:
        parts.append(frame[encoding["scalars"]].astype(float).to_numpy(dtype=np.float32))
    return np.concatenate(parts, axis=1)


def network(inputs, hidden, dropout):
    return nn.Sequential(nn.Linear(inputs, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, 1))


class CtrModel:
    """The network with its column encoding and input standardisation."""

    def __init__(self, net, encoding, mean, std):
        self.net, self.encoding, self.mean, self.std = net.eval(), encoding, mean, std
        self.classes_ = np.array([False, True])

    def predict_proba(self, frame):
        x = (matrix(frame, self.encoding) - self.mean) / self.std
        with torch.no_grad():
            p = torch.sigmoid(self.net(torch.from_numpy(x.astype(np.float32)))).numpy().ravel()
        return np.column_stack([1.0 - p, p])

    def predict(self, frame):
        return self.predict_proba(frame)[:, 1] >= 0.5


def model_fn(model_dir):
    state = torch.load(os.path.join(model_dir, "model.pt"), map_location="cpu")
    net = network(state["inputs"], state["hidden"], state["dropout"])
    net.load_state_dict(state["weights"])
    return CtrModel(net, state["encoding"], state["mean"].numpy(), state["std"].numpy())


def predict_fn(data, model):
    return model.predict(data)


if __name__ == "__main__":
    hps = mlp_data.hyperparams()
    X, y = mlp_data.xy(mlp_data.channel("train"))
    encoding = encoding_for(X)
    x = matrix(X, encoding)
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    x = ((x - mean) / std).astype(np.float32)
    target = y.astype(bool).to_numpy(dtype=np.float32)

    lr = float(hps.get("lr", 1e-3))
    hidden = int(float(hps.get("hidden_units", 128)))
    dropout = float(hps.get("dropout", 0.2))
    seed = int(float(hps.get("seed", 0)))

    # `distributed = ddp`: under torchrun (WORLD_SIZE > 1) every process trains on its share
    # of each batch and DistributedDataParallel averages the gradients; a local run is one
    # process.
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if world > 1:
        torch.distributed.init_process_group("gloo")

    batch = max(32, min(int(float(hps.get("batch_size", 256))), len(x) // 16))
    per_epoch = math.ceil(len(x) / batch)
    min_steps = int(float(hps.get("min_steps", min(600, max(200, 0.2 / lr)))))
    epochs = max(int(float(hps.get("epochs", 3))), math.ceil(min_steps / per_epoch))

    torch.manual_seed(seed)
    net = network(x.shape[1], hidden, dropout)
    model = torch.nn.parallel.DistributedDataParallel(net) if world > 1 else net
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=float(hps.get("weight_decay", 1e-4)))
    loss_fn = nn.BCEWithLogitsLoss()
    gen = torch.Generator().manual_seed(seed)  # the same order in every process
    shuffled = torch.randperm(len(x), generator=gen)
    held = shuffled[: len(x) // 10]
    kept = shuffled[len(x) // 10:]
    xa, ya = torch.from_numpy(x), torch.from_numpy(target).unsqueeze(1)
    xt, yt, xv, yv = xa[kept], ya[kept], xa[held], ya[held]
    best, best_loss, best_epoch = None, float("inf"), 0
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(xt), generator=gen)
        for i in range(0, len(xt), batch):
            idx = order[i:i + batch][rank::world]
            if len(idx) == 0:
                continue
            opt.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            val = loss_fn(net(xv), yv).item()
        if val < best_loss:
            best_loss, best_epoch = val, epoch + 1
            best = {k: v.clone() for k, v in net.state_dict().items()}
    net.load_state_dict(best)
    if rank == 0:
        print("trained on %d impressions (%.1f%% clicked): best of %d epochs (batch %d) is epoch %d, "
              "validation loss %.4f" % (len(x), 100 * target.mean(), epochs, batch, best_epoch, best_loss))
        out = mlp_data.model_dir()
        os.makedirs(out, exist_ok=True)
        torch.save({"weights": net.state_dict(), "inputs": x.shape[1], "hidden": hidden, "dropout": dropout,
                    "encoding": encoding, "mean": torch.from_numpy(mean), "std": torch.from_numpy(std)},
                   os.path.join(out, "model.pt"))
    if world > 1:
        torch.distributed.destroy_process_group()
