// Template errors carry the file name, line and column (as Go's ErrorContext:
// 1-based line, 0-based byte column) so a user can find the spot.

export function position(text: string, pos: number): { line: number; col: number } {
  const before = text.slice(0, pos);
  const line = 1 + (before.match(/\n/g)?.length ?? 0);
  const lastNl = before.lastIndexOf('\n');
  return { line, col: pos - (lastNl + 1) };
}

export class TemplateParseError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly detail: string,
  ) {
    super(`template: ${file}:${line}:${col}: ${detail}`);
    this.name = 'TemplateParseError';
  }
}

export class TemplateExecError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly templateName: string,
    readonly context: string,
    readonly detail: string,
  ) {
    super(
      line > 0
        ? `template: ${file}:${line}:${col}: executing ${JSON.stringify(templateName)} at <${context}>: ${detail}`
        : `template: ${templateName}: ${detail}`,
    );
    this.name = 'TemplateExecError';
  }
}
