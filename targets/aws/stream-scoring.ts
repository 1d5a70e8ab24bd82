// Stream deployments: an endpoint (endpoints.ts) and a Lambda that scores each batch of events
// of the input's Kinesis stream with it, publishing every row with its prediction to a Kinesis
// stream of the deployment's own. The scorer's policy names this endpoint and these streams only.
import type { NodeOf } from "../../compiler/ir";
import { TargetError } from "../../compiler/target-api";
import { modelColumns } from "../python/serving";
import type { PlanContext } from "./context";
import { deployGroup, endpoint } from "./endpoints";
import { KINESIS_READ } from "./iam";
import { lambdaFunction } from "./lambda";
import { arr, data, json, lit, obj, ref, tpl, type Group } from "./model";
import { commentText } from "./quote";
import { SCORE_STREAM } from "./scripts";
import { kinesisStream } from "./streams";

export function streamDeploy(cx: PlanContext, n: NodeOf<"deploy">): void {
  const s = cx.stem(n);
  const topic = n.config.topic ?? n.id;
  const out: Group = { title: cx.title(n, "the Kinesis stream the scored events are published to."), resources: [] };
  const scores = kinesisStream(cx, out, n, "scores", cx.v(s, "scores"), `The scored events of topic ${commentText(topic)}: each input row with its prediction.`);
  cx.streams.set(n.id, scores);
  cx.streamOutput(topic, n, ref(scores, "name"));
  cx.steps.push(out);

  const dataIn = cx.g.input(n, "data");
  if (!dataIn) throw new TargetError(`stream deploy \`${n.id}\` has no data input`);
  const input = cx.streams.get(dataIn.from.id);
  if (!input) throw new TargetError(`stream deploy \`${n.id}\` reads \`${dataIn.from.id}\`, which has no Kinesis stream`);
  const group = deployGroup(cx, n, "an endpoint and a Lambda that scores each event of the input stream with it.");
  const ep = endpoint(cx, n, group);
  // The columns the model was trained on, never the label or the keys (the same rule as
  // `mlp run` and the Flink scoring function).
  const model = cx.g.input(n, "model")?.artifact.model;
  const train = cx.g.lineage(n)?.train;
  const trainedOn = (train && cx.g.input(train, "data")?.artifact.columns) ?? model?.input ?? [];
  const features = train ? modelColumns(train, trainedOn, cx.g).features : (model?.input.map((c) => c.name) ?? []);
  const inputArtifact = cx.g.output(dataIn.from, dataIn.fromPort);
  const dataCols = new Set((inputArtifact.columns ?? []).map((c) => c.name));
  // The column the deployment adds to its input's is the prediction.
  const prediction = (cx.g.output(n).columns ?? []).find((c) => !dataCols.has(c.name))?.name ?? "prediction";
  const fn = cx.v(s, "scorer");
  const logs = lambdaFunction(cx, group, n, "scorer", fn, "score_stream.py", SCORE_STREAM, [
    ["ENDPOINT", ref(ep, "name")],
    ["OUTPUT_STREAM", ref(scores, "arn")],
    ["FEATURES", lit(JSON.stringify(features))],
    ["PREDICTION", lit(prediction)],
    ["KEYS", lit(JSON.stringify(inputArtifact.keys ?? []))],
  ], "Scores each batch of events with the endpoint and publishes them with their prediction.");
  const policy = cx.v(s, "scorer", "policy");
  // Its own policy, inside the deploy group: it exists only while the endpoint does.
  cx.res(group, {
    v: policy,
    type: "aws.iam.RolePolicy",
    name: cx.lname(n, "scorer-access"),
    note: ["The scorer reads its input stream, calls this endpoint only and writes the scores stream."],
    args: obj({
      role: ref(cx.iam.role("lambda"), "id"),
      policy: json(
        obj({
          Version: lit("2012-10-17"),
          Statement: arr([
            obj({ Sid: lit("ReadInput"), Effect: lit("Allow"), Action: data(KINESIS_READ), Resource: arr([ref(input, "arn")]) }),
            obj({ Sid: lit("Score"), Effect: lit("Allow"), Action: data(["sagemaker:InvokeEndpoint"]), Resource: arr([ref(ep, "arn")]) }),
            obj({ Sid: lit("Publish"), Effect: lit("Allow"), Action: data(["kinesis:PutRecord", "kinesis:PutRecords"]), Resource: arr([ref(scores, "arn")]) }),
            obj({ Sid: lit("Log"), Effect: lit("Allow"), Action: data(["logs:CreateLogStream", "logs:PutLogEvents"]), Resource: arr([tpl(ref(logs, "arn"), ":*")]) }),
          ]),
        }),
      ),
    }),
  });
  cx.res(group, {
    v: cx.v(s, "scorer", "source"),
    type: "aws.lambda.EventSourceMapping",
    name: cx.lname(n, "scorer-source"),
    args: obj({ functionName: ref(fn, "arn"), eventSourceArn: ref(input, "arn"), startingPosition: lit("LATEST"), batchSize: lit(100), maximumBatchingWindowInSeconds: lit(1) }),
    dependsOn: [policy],
  });
  cx.deploys.push(group);
}
