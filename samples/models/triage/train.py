"""ticket_triage: the queue a support ticket belongs in (billing, technical, account,
shipping, returns) -- multiclass classification with scikit-learn.

TF-IDF of the subject's words and word pairs, the body embedding (384-d) reduced to its
leading principal components (few rows cannot weigh 384 raw dimensions), the
channel and product category one-hot, and the few numeric features, into a multinomial
logistic regression. Ids (`ticket_id`) are left out. Columns are chosen by name from the
DataFrame's types, so the fitted Pipeline predicts on a DataFrame of the model's input
columns (vectors as lists of floats) and returns queue names; `predict_proba` gives the
per-queue probabilities. Only scikit-learn and numpy objects are pickled (the embedding is
stacked into a matrix by `numpy.vstack`), so the default pickle loader serves it.

Hyperparameters (the sample's `hyperparams` and `search`): C (inverse regularisation),
ngram_max (1: words, 2: words and word pairs), class_weight ("balanced" or "none"),
max_features (TF-IDF vocabulary size), embedding_components (principal components kept).
"""
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

import mlp_data


def column_roles(frame):
    roles = {"numeric": [], "vector": [], "text": [], "categorical": []}
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
            roles["numeric"].append(name)
        elif pd.api.types.is_datetime64_any_dtype(col):
            continue
        elif col.map(lambda v: isinstance(v, (list, tuple, np.ndarray))).all():
            roles["vector"].append(name)
        else:
            values = col.dropna().astype(str)
            if values.str.split().str.len().mean() >= 1.5:
                roles["text"].append(name)
            elif values.nunique() <= max(20, len(values) // 10):
                roles["categorical"].append(name)
            # otherwise an identifier: left out
    return roles


def build(frame, hps):
    roles = column_roles(frame)
    ngram_max = int(float(hps.get("ngram_max", 2)))
    parts = [("num", StandardScaler(), roles["numeric"]),
             ("cat", OneHotEncoder(handle_unknown="ignore"), roles["categorical"])]
    for name in roles["vector"]:
        parts.append(("vec_" + name, Pipeline([
            ("stack", FunctionTransformer(np.vstack)),
            ("pca", PCA(n_components=int(float(hps.get("embedding_components", 16))), random_state=0)),
            ("scale", StandardScaler())]), name))
    for name in roles["text"]:
        parts.append(("tfidf_" + name, TfidfVectorizer(ngram_range=(1, ngram_max), sublinear_tf=True,
                                                       max_features=int(float(hps.get("max_features", 20000)))), name))
    class_weight = hps.get("class_weight", "balanced")
    clf = LogisticRegression(C=float(hps.get("C", 1.0)), max_iter=3000,
                             class_weight=None if class_weight in (None, "", "none", "None") else class_weight)
    return Pipeline([("prep", ColumnTransformer(parts, remainder="drop")), ("model", clf)])


if __name__ == "__main__":
    hps = mlp_data.hyperparams()
    X, y = mlp_data.xy(mlp_data.channel("train"))
    model = build(X, hps)
    model.fit(X, y.astype(str))
    mlp_data.save_model(model)
    print("trained on %d tickets; queues %s" % (len(X), list(model.classes_)))
