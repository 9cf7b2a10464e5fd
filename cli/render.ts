/**
 * How CLI commands print: a table for people, one JSON document for scripts (`--json`). A command builds its rows
 * once and hands them to {@link printRows}; the JSON is the rows as they are, the table their text.
 */
import type { Output } from './commands.js';

/** One column of a table: its heading and how a row shows in it. */
export interface Column<Row> {
  readonly heading: string;
  readonly cell: (row: Row) => string;
}

/** The rows as a table with a heading line; columns padded to their widest cell, the last one left as it is. */
export function table<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string[] {
  const cells = rows.map((row) => columns.map((c) => c.cell(row)));
  const widths = columns.map((c, i) => Math.max(c.heading.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.heading)), ...cells.map(line)];
}

/** How a command was asked to print. */
export interface PrintOptions {
  readonly json: boolean;
}

/**
 * Print a command's result: with `--json` the `document` as one JSON line (nothing else on stdout), else the table
 * of `rows` and then the `summary` lines.
 */
export function printRows<Row>(
  out: Output,
  options: PrintOptions,
  rows: readonly Row[],
  columns: readonly Column<Row>[],
  document: unknown,
  summary: readonly string[] = [],
): void {
  if (options.json) {
    printJson(out, document);
    return;
  }
  if (rows.length > 0) for (const l of table(rows, columns)) out.line(l);
  for (const l of summary) out.line(l);
}

/** Print `document` as the command's one JSON line: with `--json` nothing else goes to stdout. */
export function printJson(out: Output, document: unknown): void {
  out.line(JSON.stringify(document));
}
