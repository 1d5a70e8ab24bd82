// The language server the extension ships: `mlp lsp` on its own, without the rest of the CLI.
import { startLanguageServer } from "../../../compiler/lsp/server";

startLanguageServer();
