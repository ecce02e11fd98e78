/**
 * gRPC check (Consul's CheckGRPC): the standard health protocol, grpc.health.v1.Health/Check,
 * over HTTP/2 (TLS when GRPCUseTLS). The target is `host:port` or `host:port/service`; the
 * answer SERVING is passing (`gRPC check <target>: success`), any other status or error is
 * critical. The request and response are two tiny protobuf messages, framed by hand:
 *   HealthCheckRequest  { string service = 1; }
 *   HealthCheckResponse { ServingStatus status = 1; }  UNKNOWN 0, SERVING 1, NOT_SERVING 2, SERVICE_UNKNOWN 3
 */
import type http2 from 'node:http2';
import { h2Probe, type H2Target } from './h2-probe.js';
import type { ProbeResult } from './interval.js';

export interface GrpcTarget extends Omit<H2Target, 'address'> {
  /** As configured: `host:port[/service]`. */
  target: string;
}

const STATUS_NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
/** gRPC status codes as Go's status.Error prints them. */
const CODE_NAMES = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied',
  'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated'];
/** Largest health response accepted (it is a few bytes). */
const RESPONSE_BYTES_MAX = 64 * 1024;

/** `host:port[/service]` -> address and service. */
export function splitGrpcTarget(target: string): { address: string; service: string } {
  const slash = target.indexOf('/');
  return slash < 0 ? { address: target, service: '' } : { address: target.slice(0, slash), service: target.slice(slash + 1) };
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** A length-prefixed gRPC message holding HealthCheckRequest{service}. */
export function encodeHealthRequest(service: string): Buffer {
  const s = Buffer.from(service, 'utf8');
  const message = s.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a]), varint(s.length), s]);
  const header = Buffer.alloc(5);
  header.writeUInt8(0, 0); // not compressed
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

/** The status of the first HealthCheckResponse in `body`, or undefined when it is not one. */
export function decodeHealthStatus(body: Buffer): number | undefined {
  if (body.length < 5 || body[0] !== 0) return undefined;
  const len = body.readUInt32BE(1);
  if (body.length < 5 + len) return undefined;
  const msg = body.subarray(5, 5 + len);
  let status = 0; // proto3: an absent field is its zero value
  for (let i = 0; i < msg.length; ) {
    const key = msg[i++]!;
    const field = key >> 3;
    const wire = key & 7;
    if (wire === 0) {
      let v = 0;
      let shift = 0;
      for (;;) {
        if (i >= msg.length || shift > 28) return undefined;
        const b = msg[i++]!;
        v |= (b & 0x7f) << shift;
        shift += 7;
        if ((b & 0x80) === 0) break;
      }
      if (field === 1) status = v;
    } else if (wire === 2) {
      const n = msg[i++]!; // lengths of unknown fields here are short
      i += n;
    } else {
      return undefined;
    }
  }
  return status;
}

const unavailable = (why: string): ProbeResult => ({
  status: 'critical',
  output: why === 'timeout' ? 'rpc error: code = DeadlineExceeded desc = context deadline exceeded' : `rpc error: code = Unavailable desc = connection error: ${why}`,
});

export function probeGrpc(t: GrpcTarget, signal: AbortSignal): Promise<ProbeResult> {
  const { address, service } = splitGrpcTarget(t.target);
  return h2Probe({ ...t, address }, signal, unavailable, (session, finish) => {
    const fail = (why: string): void => finish({ status: 'critical', output: why });
    const req = session.request({
      ':method': 'POST',
      ':path': '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let grpcStatus: string | undefined;
    let grpcMessage = '';
    const takeStatus = (h: http2.IncomingHttpHeaders): void => {
      if (h['grpc-status'] !== undefined) grpcStatus = String(h['grpc-status']);
      if (h['grpc-message'] !== undefined) grpcMessage = decodeURIComponent(String(h['grpc-message']));
    };
    req.on('response', takeStatus); // a trailers-only answer carries the status in the headers
    req.on('trailers', takeStatus);
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > RESPONSE_BYTES_MAX) return fail('rpc error: code = ResourceExhausted desc = response too large');
      chunks.push(c);
    });
    req.on('error', (err) => fail(`rpc error: code = Unavailable desc = ${err.message}`));
    req.on('end', () => {
      if (grpcStatus !== undefined && grpcStatus !== '0') return fail(`rpc error: code = ${CODE_NAMES[Number(grpcStatus)] ?? grpcStatus} desc = ${grpcMessage}`);
      const status = decodeHealthStatus(Buffer.concat(chunks));
      if (status === undefined) return fail('rpc error: code = Internal desc = malformed health response');
      if (status !== 1) return fail(`gRPC ${t.target} serving status: ${STATUS_NAMES[status] ?? String(status)}`);
      finish({ status: 'passing', output: `gRPC check ${t.target}: success` });
    });
    req.end(encodeHealthRequest(service));
  });
}
