// dns-packet's record-level codecs, which its published types leave out.
import { createRequire } from 'node:module';
import type * as DP from 'dns-packet';

// Required, not imported: node runs its CommonJS export lexer, and compiles it hot, for every
// CommonJS module an ES module imports: 4 MB of a client agent's memory (docs/PERFORMANCE.md).
const dnsPacketDefault = createRequire(import.meta.url)('dns-packet') as typeof import('dns-packet');

export type Answer = DP.Answer;
export type OptAnswer = DP.OptAnswer;

interface Codec<T> {
  encode: ((value: T, buf?: Buffer, offset?: number) => Buffer) & { bytes: number };
  decode: ((buf: Buffer, offset?: number) => T) & { bytes: number };
  encodingLength(value: T): number;
}

const raw = dnsPacketDefault as unknown as {
  answer: Codec<DP.Answer>;
  question: Codec<DP.Question>;
  name: Codec<string>;
};

export const answerCodec = raw.answer;
export const questionCodec = raw.question;
export const nameCodec = raw.name;
export const dnsPacket = dnsPacketDefault;
