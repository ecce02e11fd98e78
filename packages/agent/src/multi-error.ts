/** go-multierror's default format, which Consul's texts carry (keyring operations, config errors). */
export function multiError(errs: string[]): string {
  if (errs.length === 1) return `1 error occurred:\n\t* ${errs[0]}\n\n`;
  return `${errs.length} errors occurred:\n${errs.map((e) => `\t* ${e}`).join('\n')}\n\n`;
}
