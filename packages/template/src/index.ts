export { Template, type TemplateOptions } from './engine/template.js';
export { TemplateExecError, TemplateParseError } from './engine/errors.js';
export { variadic, type FuncMap, type TemplateFunc, type MissingKey } from './engine/exec.js';
export { sprint, sprintf, sprintln } from './engine/fmt.js';
