// Only for targets/flink/udf.ts, until it imports ./names and compiler/query.ts's IrGraph
// itself (it is another branch's file); nothing else may import this module. Delete it then.
export { commentText } from "./names";
export type { IrGraph as Graph } from "../../compiler/query";
