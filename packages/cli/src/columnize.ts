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
 * text/tabwriter with pad char ' ' and no flags: every tab-terminated cell is padded to
 * its column's widest cell plus `padding` (at least `minwidth`); the text after the last tab
 * of a line is written as is. As in Go, a column's width is shared only by a run of
 * consecutive lines that have a cell in it, so a line without one (an empty line) starts a
 * new table.
 */
export function tabwrite(text: string, padding = 6, minwidth = 0): string {
  const cells = text.split('\n').map((l) => l.split('\t'));
  const widths = cells.map(() => [] as number[]);
  const width = (cell: string): number => [...cell].length;
  // Go's format(): the run of lines [lo, hi) that all have a cell in `column`.
  const layout = (column: number, lo: number, hi: number): void => {
    for (let i = lo; i < hi; ) {
      if (cells[i]!.length - 1 <= column) {
        i++;
        continue;
      }
      let end = i;
      let w = minwidth;
      for (; end < hi && cells[end]!.length - 1 > column; end++) w = Math.max(w, width(cells[end]![column]!) + padding);
      for (let k = i; k < end; k++) widths[k]![column] = w;
      layout(column + 1, i, end);
      i = end;
    }
  };
  layout(0, 0, cells.length);
  return cells
    .map((row, r) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[r]![i]! - width(cell)))).join(''))
    .join('\n');
}
