// A gRPC server from @grpc/grpc-js serving grpc.health.v1.Health/Check (for tests of the gRPC
// check: an implementation independent of ours). Statuses by service name; an unknown service
// answers NOT_FOUND, as the reference health server does.
import * as grpc from '@grpc/grpc-js';

const HEALTH = {
  Check: {
    path: '/grpc.health.v1.Health/Check',
    requestStream: false,
    responseStream: false,
    // grpc-js frames the messages; these encode the two one-field protobuf messages.
    requestSerialize: (v: { service: string }) => {
      const s = Buffer.from(v.service);
      return s.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a, s.length]), s]);
    },
    requestDeserialize: (b: Buffer) => ({ service: b.length > 2 ? b.subarray(2, 2 + b[1]!).toString('utf8') : '' }),
    responseSerialize: (v: { status: number }) => Buffer.from([0x08, v.status]),
    responseDeserialize: (b: Buffer) => ({ status: b[1] ?? 0 }),
  },
} satisfies grpc.ServiceDefinition;

export interface HealthServer {
  address: string;
  close(): Promise<void>;
}

export async function startHealthServer(host: string, statuses: Record<string, number>, tls?: { key: Buffer; cert: Buffer }): Promise<HealthServer> {
  const server = new grpc.Server();
  server.addService(HEALTH, {
    Check: (call: grpc.ServerUnaryCall<{ service: string }, { status: number }>, cb: grpc.sendUnaryData<{ status: number }>) => {
      const status = statuses[call.request.service];
      if (status === undefined) return cb({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
      cb(null, { status });
    },
  });
  const creds = tls ? grpc.ServerCredentials.createSsl(null, [{ private_key: tls.key, cert_chain: tls.cert }]) : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) => server.bindAsync(`${host}:0`, creds, (err, p) => (err ? reject(err) : resolve(p))));
  return { address: `${host}:${port}`, close: () => new Promise<void>((r) => server.tryShutdown(() => r())) };
}
