// Fastify's route-schema compilers (ajv with its formats, fast-json-stringify), loaded on first
// use instead of when the app is built. No Proconsul route declares a body, query, params,
// headers or response schema, so an agent never calls them and never holds ajv's ~90 modules
// in memory (docs/PERFORMANCE.md, client agent memory). A plugin that declares one still works:
// the first compile loads the same compiler fastify would have used (require is synchronous
// and cached, so two first uses load it once).
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type Factories = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

// Resolved from fastify's own location: these are fastify's dependencies, not ours.
const requireFromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));

function onFirstUse<F extends (...args: never[]) => unknown>(pkg: string): F {
  let factory: ((...args: unknown[]) => unknown) | undefined;
  const load = (...args: unknown[]): unknown => {
    factory ??= (requireFromFastify(pkg) as () => (...args: unknown[]) => unknown)();
    return factory(...args);
  };
  return load as unknown as F;
}

/** For `Fastify({ schemaController: { compilersFactory } })`. */
export const lazySchemaCompilers: Factories = {
  buildValidator: onFirstUse<NonNullable<Factories['buildValidator']>>('@fastify/ajv-compiler'),
  buildSerializer: onFirstUse<NonNullable<Factories['buildSerializer']>>('@fastify/fast-json-stringify-compiler'),
};
