// Entry of the library bundle the benchmark times (built by run.mjs into test/.tmp/):
// the same functions the CLI bundle calls, bundled the same way.
export { parse } from "../../language/parser";
export { checkProgram, CheckSession } from "../../language/checker/program";
export { checkLeakage } from "../../language/checker/leakage";
export { lower } from "../../compiler/lower";
export { writeIr } from "../../compiler/ir-wire";
export { TARGETS } from "../../compiler/targets";
export { generatePipeline, MIN_STEPS } from "./generate";
