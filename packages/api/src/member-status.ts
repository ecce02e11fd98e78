/** serf's MemberStatus names, as `consul members` prints them. */
const NAMES = ['none', 'alive', 'leaving', 'left', 'failed'];

export function memberStatusString(status: number): string {
  return NAMES[status] ?? `unknown(${status})`;
}
