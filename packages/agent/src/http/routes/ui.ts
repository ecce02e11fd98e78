// -ui: serve the built web UI (package @proconsul/ui, its dist/) at /ui/; deep links fall back
// to index.html and / redirects to /ui/. Without a built UI, /ui/ answers 404 with a message.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../../context.js';
import { unknownPathText } from '../not-found.js';

const UI_NOT_BUILT = 'Proconsul UI is not available: the @proconsul/ui package is not installed or not built (npm run build -w @proconsul/ui)';

/** The UI's dist/ directory, found through node_modules above this file; undefined when absent. */
export function findUiDist(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = from;
  for (let i = 0; i < 32; i++) {
    const candidate = join(dir, 'node_modules', '@proconsul', 'ui', 'dist');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** The built UI: the `uiDir` export of @proconsul/ui when it holds index.html, else a node_modules search. */
export async function resolveUiDist(): Promise<string | undefined> {
  try {
    const spec = '@proconsul/ui';
    const mod = (await import(spec)) as { uiDir?: unknown };
    if (typeof mod.uiDir === 'string' && existsSync(join(mod.uiDir, 'index.html'))) return mod.uiDir;
  } catch {
    // Not installed: fall through.
  }
  return findUiDist();
}

/** A path naming a file (has an extension) rather than a client-side route of the SPA. */
function looksLikeFile(url: string): boolean {
  const path = url.split('?')[0]!;
  return /\.[A-Za-z0-9]+$/.test(path.slice(path.lastIndexOf('/') + 1));
}

/**
 * Registered with `prefix: '/ui'`. Files are looked up per request (a UI rebuilt while the
 * agent runs is served at once); a client route without a file extension gets index.html, a
 * missing file gets 404.
 */
export async function uiRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  const dist = await resolveUiDist();
  const text404 = (reply: import('fastify').FastifyReply, msg: string) =>
    reply.code(404).header('content-type', 'text/plain; charset=utf-8').send(msg);
  if (!dist) {
    app.get('/', (_req, reply) => text404(reply, UI_NOT_BUILT));
    app.get('/*', (_req, reply) => text404(reply, UI_NOT_BUILT));
    return;
  }
  ctx.log.http.info({ dist }, 'serving the web UI at /ui/');
  // Loaded only with -ui: an agent without the UI does not hold the static file server.
  const { default: fastifyStatic } = await import('@fastify/static');
  await app.register(fastifyStatic, { root: dist, prefix: '/', wildcard: true, index: ['index.html'] });
  app.setNotFoundHandler((req, reply) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return text404(reply, unknownPathText(req.url));
    if (looksLikeFile(req.url)) return text404(reply, `UI file not found: ${req.url.split('?')[0]}`);
    return reply.sendFile('index.html', dist);
  });
}
