// The 404 body for a path no route takes, as Consul's HTTPHandlers.Index writes it
// (agent/http.go): with Fprintln, so it ends in a newline, and with a hint when the path has no
// /v1/ in it. Legacy API paths Consul dropped (/v1/acl/create and the rest of the pre-1.4 ACL
// API) get the /v1/ text, as they do from Consul today.
export const UNKNOWN_API_PATH = 'Invalid URL path: not a recognized HTTP API endpoint\n';
export const NOT_AN_API_PATH = "Invalid URL path: if attempting to use the HTTP API, ensure the path starts with '/v1/'\n";

export function unknownPathText(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path.includes('/v1/') ? UNKNOWN_API_PATH : NOT_AN_API_PATH;
}
