/**
 * Text tables as Consul prints them: ryanuber/columnize (members, catalog nodes,
 * operator raft list-peers) and Go's text/tabwriter (kv get -detailed, catalog services -tags).
 */

/** columnize.Format: cells split on `delim` and trimmed, columns padded to the widest cell, glued with two spaces; the last column is not padded. */
export function columnize(lines: string[], delim = '\x1f', glue = '  '): string {
  const rows = lines.map((l) => l.split(delim).map((c) => c.trim()));
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...cell].length);
    });
  }
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - [...cell].length) + glue)).join(''))
    .join('\n');
}

/**
 * text/tabwriter with minwidth 0, padding `padding`, pad char ' ', no flags: every
 * tab-terminated cell is padded to its column's widest cell plus `padding`; the text after
 * the last tab of a line is written as is.
 */
export function tabwrite(text: string, padding = 6): string {
  const lines = text.split('\n');
  const cells = lines.map((l) => l.split('\t'));
  const widths: number[] = [];
  for (const row of cells) {
    for (let i = 0; i < row.length - 1; i++) widths[i] = Math.max(widths[i] ?? 0, [...row[i]!].length + padding);
  }
  return cells
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - [...cell].length))).join(''),
    )
    .join('\n');
}
