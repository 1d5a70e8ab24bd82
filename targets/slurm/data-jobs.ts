// Data jobs: batch steps run the Spark SQL the spark target wrote, streaming steps submit the
// Flink SQL job the flink target wrote (beside this folder: ../spark/, ../flink/).
import type { ValidNode } from "../../compiler/ir";
import { dataResourcesOf } from "../../compiler/query";
import type { Plan } from "./plan";
import type { JobBody } from "./render";
import { sh } from "./quote";
import { SPARK_SQL_OPTIONS, sparkSqlArgs } from "../spark/command";
import { sqlClientArgs, sqlClientShellArgs } from "../flink/command";

export function sparkBody(plan: Plan, n: ValidNode): JobBody {
  const args = sparkSqlArgs(plan.ir.settings.onprem, dataResourcesOf(n)).map((a) => (SPARK_SQL_OPTIONS.has(a) ? a : sh(a)));
  return {
    lines: [`mlp_sql="$MLP_SLURM_DIR/../spark/"${sh(`${n.id}.sql`)}`, `"\${MLP_SPARK_SQL:-spark-sql}" ${[...args, "-f", '"$mlp_sql"'].join(" ")}`],
  };
}

export function flinkBody(plan: Plan, n: ValidNode): JobBody {
  const args = sqlClientShellArgs(sqlClientArgs(plan.graph.ir, n, plan.graph), sh, '"$MLP_SLURM_DIR/../flink/"', '"$MLP_PROJECT_DIR"/');
  return { lines: [`mlp_sql="$MLP_SLURM_DIR/../flink/"${sh(`${n.id}.sql`)}`, `"\${MLP_FLINK_SQL:-sql-client.sh}" ${args} -f "$mlp_sql"`] };
}

