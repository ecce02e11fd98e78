/** A policy document (or rule) that cannot be parsed or names an unknown resource or level: a 400. */
export class AclRulesError extends Error {
  override readonly name = 'AclRulesError';
}
