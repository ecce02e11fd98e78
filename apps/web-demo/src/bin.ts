import { createWebDemo } from './server.js';

const port = Number(process.env.PORT ?? 80);
const host = process.env.HOST ?? '0.0.0.0';
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`web-demo: invalid PORT ${JSON.stringify(process.env.PORT)}`);
  process.exit(1);
}
const server = createWebDemo({ address: process.env.ADVERTISE_ADDR });
server.listen(port, host, () => console.log(`web-demo listening on ${host}:${port}`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.close(() => process.exit(0)));
