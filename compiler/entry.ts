// Process entry of the bundled CLI (dist/mlp.cjs): every command.
import { main } from "./cli";
import { runMain } from "./process-main";

runMain(main);
