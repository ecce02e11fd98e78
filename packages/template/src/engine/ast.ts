// The parse tree of a template, mirroring text/template/parse's node types.
// `pos` is the offset in the source text, used for file:line:col in errors.

export type Node =
  | ListNode | TextNode | ActionNode | IfNode | RangeNode | WithNode | TemplateNode
  | BreakNode | ContinueNode | PipeNode | CommandNode | Operand;

export type Operand =
  | IdentifierNode | FieldNode | VariableNode | ChainNode | DotNode | NilNode
  | BoolNode | NumberNode | StringNode | PipeNode;

export interface ListNode { type: 'list'; pos: number; nodes: Node[] }
export interface TextNode { type: 'text'; pos: number; text: string }
export interface ActionNode { type: 'action'; pos: number; pipe: PipeNode }
export interface BranchFields { pos: number; pipe: PipeNode; list: ListNode; elseList?: ListNode }
export interface IfNode extends BranchFields { type: 'if' }
export interface RangeNode extends BranchFields { type: 'range' }
export interface WithNode extends BranchFields { type: 'with' }
export interface TemplateNode { type: 'template'; pos: number; name: string; pipe?: PipeNode }
export interface BreakNode { type: 'break'; pos: number }
export interface ContinueNode { type: 'continue'; pos: number }
export interface PipeNode { type: 'pipe'; pos: number; isAssign: boolean; decl: VariableNode[]; cmds: CommandNode[] }
export interface CommandNode { type: 'command'; pos: number; args: Operand[] }
export interface IdentifierNode { type: 'identifier'; pos: number; name: string }
/** `.A.B` */
export interface FieldNode { type: 'field'; pos: number; ident: string[] }
/** `$x.A.B`: ident[0] is the variable name. */
export interface VariableNode { type: 'variable'; pos: number; ident: string[] }
/** `(pipe).A.B` */
export interface ChainNode { type: 'chain'; pos: number; node: Operand; field: string[] }
export interface DotNode { type: 'dot'; pos: number }
export interface NilNode { type: 'nil'; pos: number }
export interface BoolNode { type: 'bool'; pos: number; value: boolean }
export interface NumberNode {
  type: 'number'; pos: number; text: string;
  /** int: exact (a bigint beyond 2^53); isUint alone: above int64, which Go's int overflows. */
  isInt: boolean; isUint: boolean; isFloat: boolean; int: number | bigint; float: number;
}
export interface StringNode { type: 'string'; pos: number; quoted: string; text: string }

/** Go's Node.String(), used for the `at <...>` part of execution errors. */
export function nodeString(n: Node): string {
  switch (n.type) {
    case 'list': return n.nodes.map(nodeString).join('');
    case 'text': return JSON.stringify(n.text);
    case 'action': return `{{${nodeString(n.pipe)}}}`;
    case 'if': case 'range': case 'with':
      return `{{${n.type} ${nodeString(n.pipe)}}}${nodeString(n.list)}${n.elseList ? `{{else}}${nodeString(n.elseList)}` : ''}{{end}}`;
    case 'template': return `{{template ${JSON.stringify(n.name)}${n.pipe ? ' ' + nodeString(n.pipe) : ''}}}`;
    case 'break': return '{{break}}';
    case 'continue': return '{{continue}}';
    case 'pipe': {
      let s = '';
      if (n.decl.length > 0) s = n.decl.map(nodeString).join(', ') + (n.isAssign ? ' = ' : ' := ');
      return s + n.cmds.map(nodeString).join(' | ');
    }
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'identifier': return n.name;
    case 'field': return n.ident.map((i) => '.' + i).join('');
    case 'variable': return n.ident.join('.');
    case 'chain': {
      const inner = n.node.type === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node);
      return inner + n.field.map((f) => '.' + f).join('');
    }
    case 'dot': return '.';
    case 'nil': return 'nil';
    case 'bool': return String(n.value);
    case 'number': return n.text;
    case 'string': return n.quoted;
  }
}
