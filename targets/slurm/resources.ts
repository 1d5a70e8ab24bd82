// What a job asks Slurm for: the #SBATCH lines of each job role, from the steps' `resources`.
import type { NodeOf } from "../../compiler/ir";
import { sizeBytes, type Resources } from "../../language/catalog/values";
import type { Job, Plan } from "./plan";
import { placement } from "./prelude";
import { slurmMemory, slurmMemoryMiB, slurmTime } from "./quote";
import { requeueDirectives, servingTime } from "./requeue";
import { tuneTrials } from "./training";
import { dataResourcesOf } from "../../compiler/query";

/**
 * The #SBATCH lines every job starts with: its name, its log (`%A_%a` for an array's task) and
 * where it runs. A data job (`onData`: Spark, Flink submissions, the run's `latest` job) asks
 * for `data_partition` when there is one.
 */
export function jobDirectives(plan: Plan, key: string, log: "%j" | "%A_%a", onData: boolean): string[] {
  const s = plan.settings;
  const where = onData && s.dataPartition !== undefined ? { ...s, partition: s.dataPartition } : s;
  return [`#SBATCH --job-name=${plan.jobPrefix}.${key}`, `#SBATCH --output=logs/${key}-${log}.out`, ...placement(where, "#SBATCH")];
}

export function directives(plan: Plan, job: Job): string[] {
  const d = (s: string) => `#SBATCH ${s}`;
  const out = jobDirectives(plan, job.key, job.role === "tune" ? "%A_%a" : "%j", job.role === "data" || job.role === "flink");
  switch (job.role) {
    case "train":
      out.push(...trainResources(job.node).map(d), ...requeueDirectives(plan.settings, job.node.config.resources?.timeout).map(d));
      break;
    case "tune": {
      const trials = tuneTrials(job.node);
      const parallel = Math.max(1, Math.min(job.node.config.parallel, trials));
      out.push(d(`--array=0-${trials - 1}%${parallel}`));
      const train = plan.trainOf(job.node);
      if (train) out.push(...trainResources(train).map(d), ...requeueDirectives(plan.settings, train.config.resources?.timeout).map(d));
      break;
    }
    case "endpoint": {
      // An endpoint outlives any time limit: the job requeues itself before it.
      const timeout = job.node.config.resources?.timeout;
      out.push(...instanceResources(job.node).map(d), d(servingTime(plan.settings, timeout)), ...requeueDirectives(plan.settings, timeout).map(d));
      break;
    }
    case "batch":
    case "notebook":
      out.push(...singleResources(job.node.config.resources).map(d));
      break;
    case "data":
      out.push(d("--ntasks=1"), ...timeLine(dataResourcesOf(job.node)).map(d));
      break;
    default:
      // flink, stream-deploy, tune-select, evaluate, register: one process that submits or checks.
      out.push(d("--ntasks=1"));
  }
  return out;
}

function timeLine(res: Pick<Resources, "timeout"> | undefined): string[] {
  return res?.timeout ? [`--time=${slurmTime(res.timeout)}`] : [];
}

/** Per node: nodes, tasks per node (ddp: one torchrun per node; horovod: one rank per GPU), CPUs, GPUs, memory, time. */
export function trainResources(train: NodeOf<"train">): string[] {
  const res = train.config.resources ?? {};
  const nodes = res.nodes ?? 1;
  const gpus = res.gpus ?? 0;
  const out = [`--nodes=${nodes}`];
  out.push(`--ntasks-per-node=${train.config.distributed === "horovod" ? Math.max(1, gpus) : 1}`);
  const cpus = trainCpusPerTask(train);
  if (cpus !== undefined) out.push(`--cpus-per-task=${cpus}`);
  if (gpus > 0) out.push(`--gres=gpu:${gpus}`);
  if (res.memory) out.push(`--mem=${slurmMemory(res.memory)}`);
  return [...out, ...timeLine(res)];
}

/**
 * CPUs of each task of a training (horovod: the node's CPUs shared by its ranks), or
 * undefined when `resources` names none. The job asks for it with #SBATCH, and every srun
 * inside the job must pass it again: since Slurm 22.05 srun does not inherit --cpus-per-task.
 */
export function trainCpusPerTask(train: NodeOf<"train">): number | undefined {
  const res = train.config.resources ?? {};
  if (res.cpus === undefined) return undefined;
  return train.config.distributed === "horovod" ? Math.max(1, Math.floor(res.cpus / Math.max(1, res.gpus ?? 0))) : res.cpus;
}

/** One task per instance, each with the instance's CPUs, memory and GPUs. */
function instanceResources(n: NodeOf<"deploy">): string[] {
  const res = n.config.resources ?? {};
  const out = [`--ntasks=${instanceCount(n)}`];
  const cpus = res.cpus ?? 1;
  if (res.cpus !== undefined) out.push(`--cpus-per-task=${cpus}`);
  if (res.memory) out.push(`--mem-per-cpu=${slurmMemoryMiB(sizeBytes(res.memory) / 2 ** 20 / cpus)}`);
  if (res.gpus) out.push(`--gpus-per-task=${res.gpus}`);
  return out;
}

export function singleResources(res: Resources | undefined): string[] {
  const out = ["--nodes=1", "--ntasks=1"];
  if (res?.cpus !== undefined) out.push(`--cpus-per-task=${res.cpus}`);
  if (res?.gpus) out.push(`--gres=gpu:${res.gpus}`);
  if (res?.memory) out.push(`--mem=${slurmMemory(res.memory)}`);
  return [...out, ...timeLine(res)];
}

/** Slurm does not autoscale: a min..max range serves with its minimum. */
export function instanceCount(n: NodeOf<"deploy">): number {
  const inst = n.config.instances;
  if (inst === undefined) return 1;
  return typeof inst === "number" ? inst : inst.min;
}
