// `mlp lsp` in a real editor: Debian's Neovim (0.7.2 on bookworm), headless, set up with the
// snippet README.md gives for Neovim before 0.10 (taken from the README, so the documented
// text is what runs). It opens the pipeline `mlp init` writes, misspells a column, and must
// get the diagnostic, the quick fix and a hover back. Skipped when `nvim` is not on PATH.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { initProject } from "../../compiler/tooling/init";
import { BIN } from "../run-helpers";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const hasNvim = spawnSync("nvim", ["--version"], { encoding: "utf8" }).status === 0;
const dir = mkdtempSync(join(tmpdir(), "mlp-nvim-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** README's Neovim snippet that works before 0.10, with the server this checkout built. */
function readmeSnippet(): string {
  const blocks = [...readFileSync(join(ROOT, "README.md"), "utf8").matchAll(/```lua\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const snippet = blocks.find((b) => b.includes("vim.lsp.start_client"));
  if (!snippet) throw new Error("README.md has no Neovim snippet with vim.lsp.start_client");
  const cmd = '{ "mlp", "lsp", "--stdio" }';
  if (!snippet.includes(cmd)) throw new Error(`the README snippet does not start ${cmd}`);
  return snippet.replace(cmd, `{ ${JSON.stringify(process.execPath)}, ${JSON.stringify(BIN)}, "lsp", "--stdio" }`);
}

// What the editor does, step by step; every answer goes to result.json for the test to read.
const DRIVE = String.raw`
local result = {}
local function done()
  vim.fn.writefile({ vim.fn.json_encode(result) }, "result.json")
  vim.cmd("qa!")
end
local ok, err = pcall(function()
  vim.cmd("edit pipeline.mlp")
  local buf = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo.filetype
  local client = function() return vim.lsp.get_active_clients()[1] end
  assert(vim.wait(15000, function() return client() ~= nil and client().initialized end, 20), "the server never initialized")
  local id = client().id
  -- The clean file's (empty) diagnostics, then the edit: monthly_spend misspelt on the filter line.
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local row
  for i, l in ipairs(lines) do if l:match("filter monthly_spend") then row = i - 1 end end
  vim.api.nvim_buf_set_text(buf, row, lines[row + 1]:find("monthly_spend") + 11, row, lines[row + 1]:find("monthly_spend") + 12, {})
  assert(vim.wait(15000, function() return #vim.diagnostic.get(buf) > 0 end, 20), "no diagnostics after the edit")
  local d = vim.diagnostic.get(buf)[1]
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
  result.diagnostic = { message = d.message, code = code }
  -- The diagnostic as the server sent it (what vim.lsp.buf.code_action sends back).
  local range = { start = { line = d.lnum, character = d.col }, ["end"] = { line = d.end_lnum, character = d.end_col } }
  local lsp = { range = range, message = d.message, code = code, severity = d.severity, source = d.source }
  local actions = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", {
    textDocument = { uri = vim.uri_from_bufnr(buf) }, range = range, context = { diagnostics = { lsp } },
  }, 10000)[id].result
  result.actions = vim.tbl_map(function(a) return a.title end, actions)
  vim.lsp.util.apply_workspace_edit(actions[1].edit, "utf-16")
  result.fixed = vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1]
  assert(vim.wait(15000, function() return #vim.diagnostic.get(buf) == 0 end, 20), "the diagnostic stays after the fix")
  local col = result.fixed:find("monthly_spend")
  local hover = vim.lsp.buf_request_sync(buf, "textDocument/hover", { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = row, character = col } }, 10000)[id].result
  result.hover = hover.contents.value
end)
if not ok then result.error = tostring(err) end
done()
`;

describe.skipIf(!hasNvim)("mlp lsp in Neovim", { timeout: 60_000 }, () => {
  it("attaches with README's snippet: diagnostics after an edit, the quick fix, hover", () => {
    initProject(dir);
    writeFileSync(join(dir, "init.lua"), readmeSnippet());
    writeFileSync(join(dir, "drive.lua"), DRIVE);
    const run = spawnSync("nvim", ["--headless", "--clean", "-u", "init.lua", "-c", "luafile drive.lua"], { cwd: dir, encoding: "utf8", timeout: 50_000 });
    if (!existsSync(join(dir, "result.json"))) throw new Error(`nvim wrote no result (exit ${run.status}): ${run.stdout}${run.stderr}`);
    const result = JSON.parse(readFileSync(join(dir, "result.json"), "utf8")) as Record<string, unknown>;
    expect(result.error, `${run.stdout}${run.stderr}`).toBeUndefined();
    expect(result.filetype).toBe("mlp");
    expect(result.diagnostic).toMatchObject({ code: "MLP0301", message: expect.stringMatching(/unknown column `monthly_spen`.*did you mean `monthly_spend`\?/s) });
    expect(result.actions).toEqual(["Change to `monthly_spend`"]);
    expect(result.fixed).toBe("  filter monthly_spend >= 0.0");
    expect(result.hover).toContain("monthly_spend: float");
  });
});
