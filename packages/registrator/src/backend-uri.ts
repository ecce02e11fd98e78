/** A registry URI as a URL; it has only scheme, host, port and path. */
export function parseRegistryUri(uri: string): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new Error(`registry URI "${uri}" is not a valid URI`);
  }
  if (url.username || url.password || url.search || url.hash) throw new Error(`registry URI "${uri}": expected ${url.protocol}//host:port/path only`);
  return url;
}

/** `scheme://host:port/path` split, with the host and port a backend listens on by default. */
export function backendAddress(uri: string, defaultHost: string, defaultPort: number): { hostPort: string; path: string } {
  const url = parseRegistryUri(uri);
  const host = url.hostname || defaultHost;
  return { hostPort: `${host}:${url.port || defaultPort}`, path: decodeURIComponent(url.pathname) };
}
