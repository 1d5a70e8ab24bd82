// The real grammars the SQL targets are proven against: dt-sql-parser's Spark SQL and Flink
// SQL parsers (ANTLR grammars of both engines' SQL).
import { FlinkSQL, SparkSQL } from "dt-sql-parser";

export const sparkParser = new SparkSQL();
export const flinkParser = new FlinkSQL();

/**
 * Flink built-ins the dt-sql-parser 4.x Flink grammar lexes as keywords but leaves out of its
 * function-name rule (it reports "rule columnName failed predicate"). Both are Flink SQL
 * functions (Flink docs, "System (Built-in) Functions": CHAR_LENGTH(string), SQRT(numeric)).
 * Only for validation, each is replaced by a function of the same shape the grammar lists.
 */
export const FLINK_GRAMMAR_GAPS: Record<string, string> = { CHAR_LENGTH: "LOWER", SQRT: "ABS" };

export function flinkForGrammar(sql: string): string {
  return sql.replace(/\b(CHAR_LENGTH|SQRT)\(/g, (_, name: string) => `${FLINK_GRAMMAR_GAPS[name]}(`);
}

export const sparkErrors = (sql: string) => sparkParser.validate(sql).map((e) => `${e.startLine}:${e.startColumn} ${e.message}`);
export const flinkErrors = (sql: string) => flinkParser.validate(flinkForGrammar(sql)).map((e) => `${e.startLine}:${e.startColumn} ${e.message}`);
