// Consul wraps its whole HTTP mux in go-cleanhttp's PrintablePathCheckHandler: a request whose
// decoded URL path holds a character Go's unicode.IsPrint refuses (controls, format characters,
// spaces other than U+0020, unassigned code points) is answered 400 with an empty body, unless
// disable_http_unprintable_char_filter is set (for old KV keys that fail the check).
import type { FastifyInstance } from 'fastify';

/** Go's !unicode.IsPrint: outside categories L, M, N, P, S, and not the ASCII space. */
const UNPRINTABLE = /[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;

export function hasUnprintable(rawPath: string): boolean {
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return false; // not decodable: the routes answer it as they answer any bad path
  }
  return UNPRINTABLE.test(path);
}

export function installPrintablePathCheck(app: FastifyInstance): void {
  app.addHook('onRequest', (req, reply, done) => {
    if (!hasUnprintable(req.url.split('?', 1)[0]!)) return done();
    void reply.code(400).send('');
  });
}
