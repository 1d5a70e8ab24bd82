"""mlp data: what a model step's entry script imports (`import mlp_data`) to read its data
and its step's settings, the same way on every target (local `mlp run`, Slurm, SageMaker).

The entry script runs under SageMaker's training contract; mlp adds its own settings:
    SM_CHANNEL_<NAME>    folder of channel NAME (TRAIN, VALIDATION, TEST, ...): CSV files with a
                         header row, or Parquet files (read when pyarrow is installed)
    SM_CHANNELS          JSON list of the channel names
    SM_MODEL_DIR         where the script saves its model (save_model() pickles model.pkl there)
    SM_OUTPUT_DATA_DIR   where it may write other outputs
    SM_HPS               JSON object of the hyperparameters; also SM_HP_<NAME> each, and
                         `--name value` command-line arguments
    SM_NUM_GPUS, SM_HOSTS, SM_CURRENT_HOST   as in SageMaker
    MLP_LABEL            the label column
    MLP_FEATURES         JSON list of the feature columns, in order
    MLP_KEYS             JSON list of the key columns
    MLP_TASK             "classification" or "regression"
    MLP_FRAMEWORK        the step's framework (sklearn, xgboost, pytorch, ...)
    MLP_COLUMNS          JSON list of {"name", "type", "nullable"}; type is one of int, float,
                         bool, string, enum, timestamp, date, vector
    MLP_SEED             the step's seed (an integer), when set

CSV conventions (DuckDB's): an empty field is null; bools are true/false; timestamps are
`2026-11-01 10:00:00` with an optional fraction; dates `2026-11-01`; vectors `[1.0, 2.5]`.

channel(name) gives a pandas DataFrame when pandas imports (int -> int64, or Int64 when the
column may hold nulls; float -> float64; bool -> bool, or boolean when it may hold nulls; timestamp and
date -> datetime64; string/enum -> object with None for null; vector -> lists of float),
else a list of dicts of Python values (int, float, bool, str, datetime, date, list, None).
Without MLP_COLUMNS the columns' types are inferred (pandas) or left as strings.

Standard library at import time; pandas and pyarrow are used when importable.
"""
import csv
import datetime
import json
import os
import pickle

TYPES = ("int", "float", "bool", "string", "enum", "timestamp", "date", "vector")


# ---------- the step's settings ----------


def _json_env(name, default):
    text = os.environ.get(name)
    if not text:
        return default
    return json.loads(text)


def label():
    """The label column's name (None when the step has none)."""
    return os.environ.get("MLP_LABEL") or None


def features():
    """The feature columns, in order."""
    return list(_json_env("MLP_FEATURES", []))


def keys():
    """The key columns."""
    return list(_json_env("MLP_KEYS", []))


def task():
    """"classification" or "regression"."""
    return os.environ.get("MLP_TASK") or None


def framework():
    return os.environ.get("MLP_FRAMEWORK") or None


def columns():
    """The columns of the step's data: a list of {"name", "type", "nullable"}, or None."""
    cols = _json_env("MLP_COLUMNS", None)
    return list(cols) if cols is not None else None


def hyperparams():
    """The hyperparameters (SM_HPS) as a dict."""
    return dict(_json_env("SM_HPS", {}))


def seed(default=0):
    text = os.environ.get("MLP_SEED")
    return int(text) if text else default


def model_dir():
    return os.environ.get("SM_MODEL_DIR") or os.path.join(os.getcwd(), "model")


def output_dir():
    return os.environ.get("SM_OUTPUT_DATA_DIR") or os.path.join(os.getcwd(), "output")


def save_model(model, name="model.pkl"):
    """Pickles model into SM_MODEL_DIR/name (serving loads model.pkl by default); the path."""
    folder = model_dir()
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    with open(path, "wb") as f:
        pickle.dump(model, f)
    return path


# ---------- values: CSV text <-> Python ----------


def _pandas():
    try:
        import pandas

        return pandas
    except ImportError:
        return None


def _pyarrow():
    try:
        import pyarrow  # noqa: F401
        import pyarrow.parquet  # noqa: F401

        return pyarrow
    except ImportError:
        return None


def parse_timestamp(text):
    text = text.strip()
    for fmt in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, fmt)
        except ValueError:
            pass
    return datetime.datetime.fromisoformat(text)


def parse_vector(text):
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    out = []
    for part in text.split(","):
        part = part.strip()
        out.append(None if part in ("", "NULL", "null", "None") else float(part))
    return out if text.strip() else []


BOOLS = {"true": True, "false": False, "t": True, "f": False, "1": True, "0": False}


def parse_bool(text):
    key = text.strip().lower()
    if key not in BOOLS:
        raise ValueError("not a bool: %r" % text)
    return BOOLS[key]


def parse_value(value, kind):
    """One value (CSV text, or a JSON value) as the Python value of type `kind`; '' and None are null."""
    if value is None or value == "":
        return None
    if kind == "int":
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, float):
            if value != int(value):
                raise ValueError("not an int: %r" % value)
            return int(value)
        return int(value) if isinstance(value, int) else int(str(value).strip())
    if kind == "float":
        return float(value)
    if kind == "bool":
        return value if isinstance(value, bool) else parse_bool(str(value))
    if kind == "timestamp":
        return value if isinstance(value, datetime.datetime) else parse_timestamp(str(value))
    if kind == "date":
        if isinstance(value, datetime.datetime):
            return value.date()
        return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value).strip()[:10])
    if kind == "vector":
        if isinstance(value, (list, tuple)):
            return [None if v is None else float(v) for v in value]
        return parse_vector(str(value))
    return value if isinstance(value, str) else str(value)


def format_value(value, kind=None):
    """A Python value as DuckDB's CSV writes it ('' for null)."""
    if value is None:
        return ""
    try:
        if value != value:  # NaN, NaT
            return ""
    except (TypeError, ValueError):
        pass
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (list, tuple, str)) and getattr(value, "ndim", 0) == 0:
        value = value.item()
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        if kind == "date":
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S.%f" if value.microsecond else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if kind == "int" and value == int(value):
            return str(int(value))
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join("NULL" if v is None else format_value(v) for v in value) + "]"
    return str(value)


# ---------- frames ----------


def column_types(cols):
    return {c["name"]: c.get("type", "string") for c in (cols or [])}


def _nullable(cols):
    return {c["name"]: bool(c.get("nullable", True)) for c in (cols or [])}


def typed_series(series, kind, nullable=True):
    """A pandas Series of CSV text ('' for null) or JSON values as the column type's dtype."""
    pd = _pandas()
    nulls = series.isna() | series.map(lambda v: isinstance(v, str) and v == "")
    clean = series.where(~nulls, None)
    if kind == "int":
        values = pd.to_numeric(clean, errors="raise")
        return values.astype("Int64") if nullable or nulls.any() else values.astype("int64")
    if kind == "float":
        return pd.to_numeric(clean, errors="raise").astype("float64")
    if kind == "bool":
        values = clean.map(lambda v: None if v is None else parse_value(v, "bool"))
        return values.astype("boolean") if nullable or nulls.any() else values.astype("bool")
    if kind in ("timestamp", "date"):
        values = pd.to_datetime(clean.map(lambda v: None if v is None else (v.strip() if isinstance(v, str) else v)))
        return values.dt.normalize() if kind == "date" else values
    if kind == "vector":
        return clean.map(lambda v: None if v is None else parse_value(v, "vector")).astype("object")
    return clean.map(lambda v: None if v is None else (v if isinstance(v, str) else str(v))).astype("object")


def typed_frame(frame, cols):
    """frame's columns converted to their types in cols; the ones cols does not name stay."""
    types = column_types(cols)
    nullable = _nullable(cols)
    out = frame.copy()
    for name in frame.columns:
        if name in types:
            try:
                out[name] = typed_series(frame[name], types[name], nullable[name])
            except (ValueError, TypeError) as e:
                raise ValueError("column %s (%s): %s" % (name, types[name], e))
    return out


def typed_records(rows, cols):
    """Lists of dicts with text values as dicts of typed Python values."""
    types = column_types(cols)
    out = []
    for row in rows:
        out.append({k: (parse_value(v, types[k]) if k in types else (None if v == "" else v)) for k, v in row.items()})
    return out


def data_files(folder, suffix):
    """The files under folder (recursively) ending in suffix, sorted; hidden and _files skipped."""
    if os.path.isfile(folder):
        return [folder] if folder.endswith(suffix) else []
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in sorted(names):
            if name.endswith(suffix) and not name.startswith((".", "_")):
                found.append(os.path.join(root, name))
    return found


def read_csv_raw(paths):
    """The rows of CSV files with header rows as text: (header, list of dicts)."""
    header = None
    rows = []
    for path in paths:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if header is None:
                header = list(reader.fieldnames or [])
            rows.extend(reader)
    return header or [], rows


def read(folder, cols=None, pandas=True):
    """The data in folder (a file or a folder of Parquet or CSV files) with the types of cols:
    a DataFrame when pandas imports (and pandas=True), else a list of dicts."""
    pd = _pandas() if pandas else None
    parquet = data_files(folder, ".parquet") if _pyarrow() else []
    if parquet:
        if pd is not None:
            frames = [pd.read_parquet(p) for p in parquet]
            return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        import pyarrow.parquet as pq

        rows = []
        for p in parquet:
            rows.extend(pq.read_table(p).to_pylist())
        return rows
    paths = data_files(folder, ".csv")
    if pd is None:
        _, rows = read_csv_raw(paths)
        return typed_records(rows, cols) if cols is not None else rows
    if not paths:
        names = [c["name"] for c in cols] if cols else []
        return typed_frame(pd.DataFrame({n: pd.Series([], dtype="object") for n in names}), cols) if cols else pd.DataFrame()
    if cols is None:
        frames = [pd.read_csv(p) for p in paths]
        return pd.concat(frames, ignore_index=True)
    return typed_frame(read_csv_text(paths), cols)


def read_csv_text(paths):
    """CSV files as one DataFrame of text ('' for null), in file and row order."""
    pd = _pandas()
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False, na_filter=False) for p in paths]
    return pd.concat(frames, ignore_index=True) if len(frames) != 1 else frames[0]


def channel(name="train"):
    """The data of channel `name` (SM_CHANNEL_<NAME>), typed by MLP_COLUMNS."""
    var = "SM_CHANNEL_" + name.upper()
    folder = os.environ.get(var)
    if not folder:
        raise KeyError("no channel %r: %s is not set (channels: %s)" % (name, var, os.environ.get("SM_CHANNELS", "[]")))
    return read(folder, columns())


def xy(frame):
    """(X, y): the feature columns in features() order (every column but the label and keys
    when MLP_FEATURES is empty) and the label column."""
    target = label()
    names = features()
    if hasattr(frame, "columns"):
        if not names:
            names = [c for c in frame.columns if c != target and c not in keys()]
        return frame[names], frame[target]
    if not names and frame:
        names = [c for c in frame[0] if c != target and c not in keys()]
    return [[row.get(n) for n in names] for row in frame], [row.get(target) for row in frame]
