// The small programs the generated project uploads next to the SQL: the Glue runner, the
// training entry wrapper, the Lambda functions (metrics for gates, online feature writer,
// stream scorer), the notebook runner and the Flink runner with its packaging script. They
// are fixed text: everything a step needs arrives as job arguments, environment variables or
// JSON files, never as code.

export const GLUE_RUNNER = String.raw`"""mlp Glue runner: runs one step's Spark SQL file (written by the spark target) and, for an
online feature set, loads the step's output into its DynamoDB table.

Job arguments:
  --sql S3_URI          the step's .sql file
  --warehouse S3_URI    where the steps' outputs live; fills {{warehouse}} in the SQL
  --online_table NAME --online_path S3_URI --ttl_attribute NAME --ttl_seconds N --keys JSON
                        (online feature sets only)
"""
import json
import sys
import time

import boto3
from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from pyspark.sql import functions as F

ONLINE = ["online_table", "online_path", "ttl_attribute", "ttl_seconds", "keys"]


def statements(text):
    """The statements of a generated file. The spark target never puts ';' or a line break
    inside a literal, so every line that ends in ';' ends a statement."""
    out, current = [], []
    for line in text.splitlines():
        if not current and (line.startswith("--") or not line.strip()):
            continue
        current.append(line)
        if line.rstrip().endswith(";"):
            out.append("\n".join(current).rstrip()[:-1])
            current = []
    if any(line.strip() for line in current):
        out.append("\n".join(current))
    return out


def read_s3(uri):
    bucket, _, key = uri[len("s3://"):].partition("/")
    return boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")


def load_online(glue, spark, args):
    keys = json.loads(args["keys"])
    frame = spark.read.parquet(args["online_path"])
    for name, kind in frame.dtypes:
        if kind == "timestamp":
            frame = frame.withColumn(name, F.date_format(F.col(name), "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"))
        elif kind == "date":
            frame = frame.withColumn(name, F.col(name).cast("string"))
    if len(keys) > 2:
        frame = frame.withColumn("mlp_key", F.concat_ws("#", *[F.col(k).cast("string") for k in keys]))
    frame = frame.withColumn(args["ttl_attribute"], F.lit(int(time.time()) + int(args["ttl_seconds"])))
    glue.write_dynamic_frame_from_options(
        frame=DynamicFrame.fromDF(frame, glue, "online"),
        connection_type="dynamodb",
        connection_options={"dynamodb.output.tableName": args["online_table"], "dynamodb.throughput.write.percent": "1.0"},
    )


def main():
    online = "--online_table" in sys.argv
    args = getResolvedOptions(sys.argv, ["JOB_NAME", "sql", "warehouse"] + (ONLINE if online else []))
    glue = GlueContext(SparkContext.getOrCreate())
    spark = glue.spark_session
    job = Job(glue)
    job.init(args["JOB_NAME"], args)
    text = read_s3(args["sql"]).replace("'{{warehouse}}/", "'" + args["warehouse"].rstrip("/") + "/")
    for statement in statements(text):
        spark.sql(statement)
    if online:
        load_online(glue, spark, args)
    job.commit()


if __name__ == "__main__":
    main()
`;

export const TRAINING_ENTRY = String.raw`"""mlp training entry: SageMaker's framework container runs this file (sagemaker_program); it
runs the user's entry script (MLP_ENTRY, in the same folder) under the training contract of
targets/slurm/README.md, as the container would run it directly, then, on the leading host:
  - prints each number of $MLP_METRICS_FILE as "mlp-metric NAME=VALUE", for tuning objectives;
  - copies the script's folder to $SM_MODEL_DIR/code, so serving loads the same module.
"""
import json
import math
import os
import runpy
import shutil
import sys


def leader():
    hosts = json.loads(os.environ.get("SM_HOSTS") or "[]")
    if hosts and os.environ.get("SM_CURRENT_HOST") != hosts[0]:
        return False
    for rank in ("RANK", "OMPI_COMM_WORLD_RANK"):
        if os.environ.get(rank, "0") != "0":
            return False
    return True


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    entry = os.path.join(here, os.environ["MLP_ENTRY"])
    # The code channel is this program's, not the script's.
    channels = [c for c in json.loads(os.environ.get("SM_CHANNELS") or "[]") if c != "code"]
    os.environ["SM_CHANNELS"] = json.dumps(channels)
    os.environ.pop("SM_CHANNEL_CODE", None)
    metrics_file = os.environ.setdefault("MLP_METRICS_FILE", os.path.join(os.environ.get("SM_OUTPUT_DATA_DIR", "/opt/ml/output/data"), "metrics.json"))
    os.makedirs(os.path.dirname(metrics_file), exist_ok=True)
    os.chdir(os.path.dirname(entry))
    sys.path.insert(0, os.path.dirname(entry))
    sys.argv = [entry] + sys.argv[1:]
    try:
        runpy.run_path(entry, run_name="__main__")
    except SystemExit as done:
        if done.code not in (None, 0):
            raise
    if not leader():
        return
    try:
        with open(metrics_file, encoding="utf-8") as f:
            metrics = json.load(f)
    except (OSError, ValueError):
        metrics = {}
    for name, value in sorted(metrics.items()) if isinstance(metrics, dict) else []:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            print("mlp-metric %s=%r" % (name, float(value)), flush=True)
    model_dir = os.environ.get("SM_MODEL_DIR", "/opt/ml/model")
    shutil.copytree(here, os.path.join(model_dir, "code"), ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)


if __name__ == "__main__":
    main()
`;

/** The regular expression SageMaker reads a metric from the training log with. */
export const metricRegex = (metric: string) => `mlp-metric ${metric}=([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)`;

export const READ_METRICS = String.raw`"""mlp gate metrics: reads metrics.json from a training job's output.tar.gz (the file the entry
script writes to $MLP_METRICS_FILE) for the evaluate step's Choice state. Only finite numbers
are returned: a missing or non-finite metric fails its require. A nested object under the
gate's channel name is read first (a second gate with other data)."""
import io
import json
import math
import tarfile

import boto3

s3 = boto3.client("s3")


def finite(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def handler(event, context):
    bucket, _, key = event["output"][len("s3://"):].partition("/")
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    metrics = {}
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.lstrip("./") == "metrics.json":
                metrics = json.load(tar.extractfile(member))
    if not isinstance(metrics, dict):
        metrics = {}
    scoped = metrics.get(event.get("channel") or "")
    merged = {k: v for k, v in metrics.items() if finite(v)}
    if isinstance(scoped, dict):
        merged.update({k: v for k, v in scoped.items() if finite(v)})
    return {"metrics": merged}
`;

export const WRITE_FEATURES = String.raw`"""mlp online features: writes the rows a Flink job publishes on its Kinesis stream into the
feature set's DynamoDB table, the newest row per key, with the expiry attribute the table's
TTL reads.

Environment: TABLE, KEYS (JSON list), KEY_ATTRIBUTE (composite key attribute, or empty),
TTL_ATTRIBUTE, TTL_SECONDS."""
import base64
import json
import os
import time
from decimal import Decimal

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE"])
KEYS = json.loads(os.environ["KEYS"])
KEY_ATTRIBUTE = os.environ.get("KEY_ATTRIBUTE", "")
TTL_ATTRIBUTE = os.environ["TTL_ATTRIBUTE"]
TTL_SECONDS = int(os.environ["TTL_SECONDS"])


def handler(event, context):
    expires = int(time.time()) + TTL_SECONDS
    latest = {}
    for record in event["Records"]:
        row = json.loads(base64.b64decode(record["kinesis"]["data"]), parse_float=Decimal)
        item = {k: v for k, v in row.items() if v is not None}
        if KEY_ATTRIBUTE:
            item[KEY_ATTRIBUTE] = "#".join(str(row.get(k)) for k in KEYS)
        item[TTL_ATTRIBUTE] = expires
        latest[json.dumps([row.get(k) for k in KEYS], default=str)] = item
    with TABLE.batch_writer() as batch:
        for item in latest.values():
            batch.put_item(Item=item)
`;

export const SCORE_STREAM = String.raw`"""mlp stream scoring: scores the rows arriving on a Kinesis stream with a SageMaker endpoint
and publishes each row with its prediction on the output stream.

Environment: ENDPOINT, OUTPUT_STREAM (ARN), FEATURES (JSON list of the model's input columns),
PREDICTION (the column added), KEYS (JSON list: the partition key of the output)."""
import base64
import json
import os

import boto3

RUNTIME = boto3.client("sagemaker-runtime")
KINESIS = boto3.client("kinesis")
FEATURES = json.loads(os.environ["FEATURES"])
KEYS = json.loads(os.environ["KEYS"])


def handler(event, context):
    records = event["Records"]
    rows = [json.loads(base64.b64decode(r["kinesis"]["data"])) for r in records]
    if not rows:
        return
    body = json.dumps([{c: row.get(c) for c in FEATURES} for row in rows])
    answer = RUNTIME.invoke_endpoint(EndpointName=os.environ["ENDPOINT"], ContentType="application/json", Accept="application/json", Body=body)
    predictions = json.loads(answer["Body"].read())
    if isinstance(predictions, dict) and "predictions" in predictions:
        predictions = predictions["predictions"]
    if len(predictions) != len(rows):
        raise RuntimeError("the endpoint answered %d predictions for %d rows" % (len(predictions), len(rows)))
    out = []
    for record, row, prediction in zip(records, rows, predictions):
        row[os.environ["PREDICTION"]] = prediction
        key = "#".join(str(row.get(k)) for k in KEYS) if KEYS else record["kinesis"]["partitionKey"]
        out.append({"Data": json.dumps(row).encode("utf-8"), "PartitionKey": key[:256] or "-"})
    for start in range(0, len(out), 500):
        batch = out[start:start + 500]
        for _ in range(5):
            result = KINESIS.put_records(StreamARN=os.environ["OUTPUT_STREAM"], Records=batch)
            batch = [r for r, answer in zip(batch, result["Records"]) if "ErrorCode" in answer]
            if not batch:
                break
        if batch:
            raise RuntimeError("%d scored rows could not be published" % len(batch))
`;

export const NOTEBOOK_RUNNER = String.raw`"""mlp notebook runner (a SageMaker Processing job): runs the step's notebook with papermill,
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
`;

export const FLINK_RUNNER = String.raw`"""mlp Flink runner: the Python main of a Managed Service for Apache Flink application. Runs the
job's Flink SQL (job.sql, written by the flink target and rewritten for Kinesis), after filling
its '{{name}}' option values from the application's runtime property group "mlp"."""
import json
import os
import re

from pyflink.table import EnvironmentSettings, TableEnvironment

PROPERTIES = "/etc/flink/application_properties.json"
SET = re.compile(r"^SET '((?:[^']|'')*)' = '((?:[^']|'')*)'$")
PLACEHOLDER = re.compile(r"'\{\{([A-Za-z0-9_.]+)\}\}'")


def properties():
    with open(PROPERTIES, encoding="utf-8") as f:
        for group in json.load(f):
            if group["PropertyGroupId"] == "mlp":
                return group["PropertyMap"]
    raise SystemExit("mlp: the application has no 'mlp' property group")


def statements(text):
    """Statements and statement sets. The flink target never puts ';' or a line break inside
    a literal, so every line that ends in ';' ends a statement."""
    out, current, inserts = [], [], None
    for line in text.splitlines():
        if not current and (line.startswith("--") or not line.strip()):
            continue
        if line == "EXECUTE STATEMENT SET":
            inserts = []
            continue
        if inserts is not None and line == "BEGIN":
            continue
        if inserts is not None and line == "END;":
            out.append(("set", inserts))
            inserts = None
            continue
        current.append(line)
        if line.rstrip().endswith(";"):
            statement = "\n".join(current).rstrip()[:-1]
            current = []
            if inserts is not None:
                inserts.append(statement)
            else:
                out.append(("sql", statement))
    return out


def main():
    values = properties()
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "job.sql"), encoding="utf-8") as f:
        text = PLACEHOLDER.sub(lambda m: "'" + values[m.group(1)].replace("'", "''") + "'", f.read())
    env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    for kind, body in statements(text):
        if kind == "set":
            statement_set = env.create_statement_set()
            for insert in body:
                statement_set.add_insert_sql(insert)
            statement_set.execute()
            continue
        setting = SET.match(body)
        if setting:
            env.get_config().set(setting.group(1).replace("''", "'"), setting.group(2).replace("''", "'"))
        else:
            env.execute_sql(body)


if __name__ == "__main__":
    main()
`;

/** Apache Flink's Kinesis SQL connector, bundled into each application's zip. */
export const FLINK_CONNECTOR = {
  group: "org.apache.flink",
  artifact: "flink-sql-connector-kinesis",
  version: "5.0.0-1.20",
} as const;

export const FLINK_RUNTIME = "FLINK-1_20";

export const FLINK_PACKAGER = String.raw`// Packages the Managed Service for Apache Flink applications of this project: one zip per job
// with the runner (run_sql.py), the job's SQL (job.sql) and the Kinesis connector in lib/.
// Run it once before pulumi up (npm run package-flink); jobs.json lists the zips.
// The connector comes from Maven Central and is checked against the SHA-1 published there.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { zipSync } from "fflate";

const here = dirname(fileURLToPath(import.meta.url));
const project = join(here, "..", "..");
const manifest = JSON.parse(readFileSync(join(here, "jobs.json"), "utf8"));
const { group, artifact, version } = manifest.connector;
const jar = ${"`"}${"$"}{artifact}-${"$"}{version}.jar${"`"};
const url = ${"`"}https://repo1.maven.org/maven2/${"$"}{group.replaceAll(".", "/")}/${"$"}{artifact}/${"$"}{version}/${"$"}{jar}${"`"};
const cache = join(here, "build", jar);

async function connector() {
  if (existsSync(cache)) return readFileSync(cache);
  const [body, sha1] = await Promise.all([fetch(url), fetch(url + ".sha1")]);
  if (!body.ok || !sha1.ok) throw new Error(${"`"}cannot download ${"$"}{url}: ${"$"}{body.status} ${"$"}{sha1.status}${"`"});
  const bytes = new Uint8Array(await body.arrayBuffer());
  const expected = (await sha1.text()).trim().split(/\s+/)[0];
  const actual = createHash("sha1").update(bytes).digest("hex");
  if (actual !== expected) throw new Error(${"`"}${"$"}{jar}: SHA-1 ${"$"}{actual}, Maven Central says ${"$"}{expected}${"`"});
  mkdirSync(dirname(cache), { recursive: true });
  writeFileSync(cache, bytes);
  return bytes;
}

const lib = await connector();
const runner = readFileSync(join(here, "run_sql.py"));
// A fixed time stamp keeps the zips byte-identical from one run to the next.
const mtime = new Date("1980-01-01T00:00:00Z");
for (const job of manifest.jobs) {
  const zip = zipSync({ "run_sql.py": [runner, { mtime }], "job.sql": [readFileSync(join(project, job.sql)), { mtime }], [${"`"}lib/${"$"}{jar}${"`"}]: [lib, { mtime, level: 0 }] });
  mkdirSync(dirname(join(project, job.zip)), { recursive: true });
  writeFileSync(join(project, job.zip), zip);
  console.log(${"`"}${"$"}{job.zip} (${"$"}{zip.length} bytes)${"`"});
}
`;
