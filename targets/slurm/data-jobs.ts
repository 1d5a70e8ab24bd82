// Data jobs: batch steps run the Spark SQL the spark target wrote, streaming steps submit the
// Flink SQL job the flink target wrote (beside this folder: ../spark/, ../flink/).
import type { ValidNode } from "../../compiler/ir";
import { dataResourcesOf } from "../../compiler/query";
import type { DataResources } from "../../language/catalog/values";
import type { Plan } from "./plan";
import type { JobBody } from "./render";
import { sh } from "./quote";
import { SPARK_SQL_OPTIONS, sparkSqlArgs } from "../spark/command";
import { sqlClientArgs, sqlClientShellArgs } from "../flink/command";

export function sparkBody(plan: Plan, n: ValidNode): JobBody {
  return {
    lines: [`mlp_sql="$MLP_SLURM_DIR/../spark/"${sh(`${n.id}.sql`)}`, `"\${MLP_SPARK_SQL:-spark-sql}" ${sparkArgsText(plan, dataResourcesOf(n))}`],
  };
}

/**
 * spark-sql's options as bash words, ending with the file's: the same for every data job of a
 * plan but for the step's own resources, so written once per plan and resources.
 */
const sparkArgs = new WeakMap<Plan, Map<string, string>>();
function sparkArgsText(plan: Plan, res: DataResources | undefined): string {
  let texts = sparkArgs.get(plan);
  if (!texts) sparkArgs.set(plan, (texts = new Map()));
  const key = res ? `${res.memory}\u0000${res.cpus}\u0000${res.nodes}` : "";
  let text = texts.get(key);
  if (text === undefined) {
    const args = sparkSqlArgs(plan.ir.settings.onprem, res).map((a) => (SPARK_SQL_OPTIONS.has(a) ? a : sh(a)));
    text = [...args, "-f", '"$mlp_sql"'].join(" ");
    texts.set(key, text);
  }
  return text;
}

export function flinkBody(plan: Plan, n: ValidNode): JobBody {
  const args = sqlClientShellArgs(sqlClientArgs(plan.graph.ir, n, plan.graph), sh, '"$MLP_SLURM_DIR/../flink/"', '"$MLP_PROJECT_DIR"/');
  return { lines: [`mlp_sql="$MLP_SLURM_DIR/../flink/"${sh(`${n.id}.sql`)}`, `"\${MLP_FLINK_SQL:-sql-client.sh}" ${args} -f "$mlp_sql"`] };
}

