/**
 * Intention.SetHash (agent/structs/intention.go): BLAKE2b-256 over the content fields in a fixed
 * order (ID, Description, the four names, SourceType, Action, the precedence as a little-endian
 * uint64, then the Meta pairs sorted by key). Served base64-encoded, as Go encodes a []byte.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import type { Intention } from './intention.js';

/** The fields the hash covers. */
export type HashedFields = Pick<Intention, 'ID' | 'Description' | 'SourceNS' | 'SourceName' | 'DestinationNS' | 'DestinationName' | 'SourceType' | 'Action' | 'Precedence' | 'Meta'>;

export function intentionHash(x: HashedFields): string {
  const parts: Buffer[] = [x.ID ?? '', x.Description, x.SourceNS, x.SourceName, x.DestinationNS, x.DestinationName, x.SourceType, x.Action ?? ''].map((s) =>
    Buffer.from(s, 'utf8'),
  );
  const prec = Buffer.alloc(8);
  prec.writeBigUInt64LE(BigInt.asUintN(64, BigInt(x.Precedence)));
  parts.push(prec);
  const meta = x.Meta ?? {};
  for (const k of Object.keys(meta).sort()) parts.push(Buffer.from(k, 'utf8'), Buffer.from(meta[k]!, 'utf8'));
  return Buffer.from(blake2b(Buffer.concat(parts), { dkLen: 32 })).toString('base64');
}
