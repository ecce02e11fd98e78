// -ui: serve the built web UI (package @proconsul/ui, its dist/) at /ui/; deep links fall back
// to index.html and / redirects to /ui/. Without a built UI, /ui/ answers 404 with a message.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../../context.js';

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

export async function uiRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  if (!ctx.config.ui) return;
  const dist = await resolveUiDist();
  app.get('/', (_req, reply) => reply.redirect('/ui/', 301));
  if (!dist) {
    const notBuilt = (_req: unknown, reply: import('fastify').FastifyReply) =>
      reply.code(404).header('content-type', 'text/plain; charset=utf-8').send(UI_NOT_BUILT);
    app.get('/ui', notBuilt);
    app.get('/ui/*', notBuilt);
    return;
  }
  ctx.log.http.info({ dist }, 'serving the web UI at /ui/');
  await app.register(fastifyStatic, { root: dist, prefix: '/ui/', wildcard: false, index: ['index.html'] });
  app.get('/ui', (_req, reply) => reply.redirect('/ui/', 301));
  // Client-side routes (/ui/dc1/services/web) are the SPA's: answer with index.html.
  app.get('/ui/*', (_req, reply) => reply.sendFile('index.html', dist));
}
