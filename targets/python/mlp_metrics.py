"""mlp metrics: the metrics mlp computes itself from a model's predictions (gates, tuning
objectives), never taken from the entry script's own numbers.

    compute(metric, y_true, y_pred, y_score=None, classes=None) -> float

Classification: accuracy, auc, precision, recall, f1, log_loss.
Regression: rmse, mae, r2, mape.

Binary labels (0/1 or False/True): the positive class is 1/True; precision, recall and f1
are the positive class's. Multiclass: precision, recall and f1 are macro averages over the
labels present in y_true or y_pred; auc is the one-vs-rest macro average.
y_score: for binary labels the probability of the positive class (a list), or an n x k
matrix of class probabilities whose columns are `classes` (sorted labels when omitted);
auc and log_loss need it. log_loss clips probabilities to [1e-15, 1 - 1e-15] and
normalises each row of a matrix.
mape is a fraction (0.1 = 10%) over the rows whose y_true is not 0 (those rows are skipped;
with no such row it is NaN).

sklearn.metrics is used when it imports, unless MLP_METRICS_PURE=1; otherwise (and for
mape, always) the pure-Python implementations below. Both give the same values.
"""
import math
import os

CLASSIFICATION = ("accuracy", "auc", "precision", "recall", "f1", "log_loss")
REGRESSION = ("rmse", "mae", "r2", "mape")
METRICS = CLASSIFICATION + REGRESSION
# The set evaluate reports for each task besides the required ones.
STANDARD = {"classification": CLASSIFICATION, "regression": REGRESSION}
# Whether larger is better, for a tuning objective's default direction.
MAXIMIZE = {"accuracy": True, "auc": True, "precision": True, "recall": True, "f1": True, "r2": True,
            "log_loss": False, "rmse": False, "mae": False, "mape": False}
NEEDS_SCORES = ("auc", "log_loss")
EPS = 1e-15


def _list(values):
    if values is None:
        return None
    if hasattr(values, "tolist"):
        values = values.tolist()
    return list(values)


def _plain(v):
    if hasattr(v, "item") and not isinstance(v, (list, tuple)):
        try:
            return v.item()
        except (ValueError, AttributeError):
            return v
    return v


def _sklearn():
    if os.environ.get("MLP_METRICS_PURE") in ("1", "true", "yes"):
        return None
    try:
        import sklearn.metrics

        return sklearn.metrics
    except ImportError:
        return None


def _label(v):
    """Labels compared as Python values; bools as 0/1 so True == 1."""
    v = _plain(v)
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, float) and v == int(v):
        return int(v)
    return v


def _is_binary(labels):
    return set(labels) <= {0, 1}


def _sorted(values):
    try:
        return sorted(set(values))
    except TypeError:
        return sorted(set(values), key=str)


def _score_matrix(y_score, classes, labels):
    """(matrix n x k, classes) from y_score; a plain list is the positive class's probability."""
    rows = _list(y_score)
    if rows and not isinstance(_plain(rows[0]), (list, tuple)) and not hasattr(rows[0], "__len__"):
        return [[1.0 - float(p), float(p)] for p in rows], [0, 1]
    rows = [[float(x) for x in _list(r)] for r in rows]
    if classes is None:
        classes = _sorted(labels)
        if rows and len(classes) != len(rows[0]):
            raise ValueError("y_score has %d columns but the labels have %d classes; pass classes=" % (len(rows[0]), len(classes)))
    classes = [_label(c) for c in _list(classes)]
    return rows, classes


def compute(metric, y_true, y_pred=None, y_score=None, classes=None):
    """The metric's value (a float) for labels y_true, predictions y_pred and scores y_score."""
    if metric not in METRICS:
        raise ValueError("unknown metric %r (known: %s)" % (metric, ", ".join(METRICS)))
    y_true = _list(y_true)
    y_pred = _list(y_pred)
    if metric in REGRESSION:
        t = [float(_plain(v)) for v in y_true]
        p = [float(_plain(v)) for v in y_pred]
        if len(t) != len(p):
            raise ValueError("%d labels but %d predictions" % (len(t), len(p)))
        if not t:
            raise ValueError("no rows to compute %s on" % metric)
        return float(_regression(metric, t, p))
    t = [_label(v) for v in y_true]
    if metric in NEEDS_SCORES:
        if y_score is None:
            raise ValueError("%s needs class probabilities (the model has no predict_proba)" % metric)
        matrix, cls = _score_matrix(y_score, classes, t)
        if len(matrix) != len(t):
            raise ValueError("%d labels but %d scores" % (len(t), len(matrix)))
        if not t:
            raise ValueError("no rows to compute %s on" % metric)
        return float(_scored(metric, t, matrix, cls))
    p = [_label(v) for v in y_pred]
    if len(t) != len(p):
        raise ValueError("%d labels but %d predictions" % (len(t), len(p)))
    if not t:
        raise ValueError("no rows to compute %s on" % metric)
    return float(_classification(metric, t, p))


# ---------- regression ----------


def _regression(metric, t, p):
    if metric == "mape":
        pairs = [(a, b) for a, b in zip(t, p) if a != 0]
        if not pairs:
            return float("nan")
        return sum(abs((a - b) / a) for a, b in pairs) / len(pairs)
    sk = _sklearn()
    if sk is not None:
        if metric == "rmse":
            return math.sqrt(sk.mean_squared_error(t, p))
        if metric == "mae":
            return sk.mean_absolute_error(t, p)
        return sk.r2_score(t, p)
    n = len(t)
    if metric == "rmse":
        return math.sqrt(sum((a - b) ** 2 for a, b in zip(t, p)) / n)
    if metric == "mae":
        return sum(abs(a - b) for a, b in zip(t, p)) / n
    mean = sum(t) / n
    ss_tot = sum((a - mean) ** 2 for a in t)
    ss_res = sum((a - b) ** 2 for a, b in zip(t, p))
    if ss_tot == 0:
        return 1.0 if ss_res == 0 else 0.0
    return 1.0 - ss_res / ss_tot


# ---------- classification from labels ----------


def _classification(metric, t, p):
    binary = _is_binary(t + p)
    sk = _sklearn()
    if sk is not None:
        if metric == "accuracy":
            return sk.accuracy_score(t, p)
        fn = {"precision": sk.precision_score, "recall": sk.recall_score, "f1": sk.f1_score}[metric]
        if binary:
            return fn(t, p, pos_label=1, average="binary", zero_division=0)
        return fn(t, p, average="macro", zero_division=0)
    if metric == "accuracy":
        return sum(1 for a, b in zip(t, p) if a == b) / len(t)
    labels = [1] if binary else _sorted(t + p)
    values = [_per_class(metric, t, p, c) for c in labels]
    return sum(values) / len(values)


def _per_class(metric, t, p, c):
    tp = sum(1 for a, b in zip(t, p) if a == c and b == c)
    fp = sum(1 for a, b in zip(t, p) if a != c and b == c)
    fn = sum(1 for a, b in zip(t, p) if a == c and b != c)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    if metric == "precision":
        return precision
    if metric == "recall":
        return recall
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


# ---------- classification from scores ----------


def _scored(metric, t, matrix, classes):
    index = {c: i for i, c in enumerate(classes)}
    missing = [c for c in set(t) if c not in index]
    if missing:
        raise ValueError("labels %s are not among the score columns' classes %s" % (_sorted(missing), classes))
    binary = len(classes) == 2
    positive = 1 if _is_binary(classes) else classes[1]
    sk = _sklearn()
    if sk is not None:
        if metric == "auc":
            if binary:
                return sk.roc_auc_score([1 if a == positive else 0 for a in t], [r[index[positive]] for r in matrix])
            return sk.roc_auc_score(t, matrix, multi_class="ovr", average="macro", labels=classes)
        clipped = [[min(max(x, EPS), 1 - EPS) for x in r] for r in matrix]
        return sk.log_loss(t, clipped, labels=classes)
    if metric == "auc":
        if binary:
            return _auc([1 if a == positive else 0 for a in t], [r[index[positive]] for r in matrix])
        present = [c for c in classes if c in set(t)]
        values = [_auc([1 if a == c else 0 for a in t], [r[index[c]] for r in matrix]) for c in present]
        return sum(values) / len(values)
    total = 0.0
    for a, r in zip(t, matrix):
        clipped = [min(max(x, EPS), 1 - EPS) for x in r]
        s = sum(clipped)
        total -= math.log(clipped[index[a]] / s)
    return total / len(t)


def _auc(positive, scores):
    """ROC AUC as the Mann-Whitney statistic: ties share their average rank."""
    n_pos = sum(positive)
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("auc needs both classes among the labels")
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        rank = (i + j) / 2.0 + 1
        for k in range(i, j + 1):
            ranks[order[k]] = rank
        i = j + 1
    rank_sum = sum(r for r, y in zip(ranks, positive) if y)
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)
