// The public face of the engine, shaped like Go's *template.Template:
// New(name).Delims(l, r).Funcs(m).Option("missingkey=error").Parse(text).Execute(data).

import { builtins } from './builtins.js';
import { execute, type FuncMap, type MissingKey } from './exec.js';
import { TemplateParseError } from './errors.js';
import { parse, type ParsedTree } from './parser.js';

export interface TemplateOptions {
  leftDelim?: string;
  rightDelim?: string;
  funcs?: FuncMap;
  /** Go's `missingkey=` option: default/invalid print "<no value>", zero gives nil, error fails. */
  missingKey?: MissingKey;
}

export class Template {
  readonly trees = new Map<string, ParsedTree>();
  private readonly funcs: FuncMap;

  constructor(
    readonly name: string,
    private readonly opts: TemplateOptions = {},
  ) {
    this.funcs = { ...builtins, ...(opts.funcs ?? {}) };
  }

  /** Parses `text` as the body of this template (and its defines). Throws TemplateParseError. */
  parse(text: string): this {
    let trees: Map<string, ParsedTree>;
    try {
      trees = parse(this.name, text, {
        leftDelim: this.opts.leftDelim,
        rightDelim: this.opts.rightDelim,
        hasFunction: (n) => n in this.funcs,
        refusal: (n) => (Object.hasOwn(this.funcs, n) ? this.funcs[n]!.refused : undefined),
      });
    } catch (e) {
      if (e instanceof RangeError) throw new TemplateParseError(this.name, 1, 0, 'template nested too deeply');
      throw e;
    }
    for (const [name, tree] of trees) {
      const old = this.trees.get(name);
      const empty = tree.root.nodes.every((n) => n.type === 'text' && n.text.trim() === '');
      if (old && empty) continue;
      this.trees.set(name, tree);
    }
    return this;
  }

  /** Renders this template. Throws TemplateExecError. */
  execute(data: unknown): string {
    return this.executeTemplate(this.name, data);
  }

  executeTemplate(name: string, data: unknown): string {
    return execute({ trees: this.trees, funcs: this.funcs, missingKey: this.opts.missingKey ?? 'default' }, name, data);
  }

  /** Names of the defined templates, sorted. */
  definedTemplates(): string[] {
    return [...this.trees.keys()].sort();
  }
}
