// Name compression as miekg/dns does it for Consul's responses (msg.go: packDomainName,
// domainNameLen, compressionLenSearch; Consul sets Msg.Compress unless disable_compression):
// every name written in full is remembered by each of its suffixes that starts below offset
// 16384, the first occurrence kept; a name whose suffix was seen is written up to that suffix,
// then a pointer to it. That holds for owner names and for the names inside CNAME, NS, PTR, MX
// and SOA data (zmsg.go: their pack functions pass `compress`); SRV and DNAME targets are
// remembered but never compressed (they pass false; RFC 2782, RFC 6672). Suffixes are keyed by
// their wire bytes, so the match keeps case, as miekg keys by the name as given.

/** Pointers reach offsets below 2^14 (maxCompressionOffset). */
const MAX_COMPRESSION_OFFSET = 0x4000;
/** A name has at most 127 labels: a bound on every walk over one. */
const MAX_LABELS = 128;

export class NameTable {
  readonly #seen = new Map<string, number>();

  /** Remembers the suffixes of the wire name `name` (written at `offset`) that start before `end`. */
  remember(name: Buffer, offset: number, end = name.length): void {
    for (let i = 0, n = 0; i < end && n < MAX_LABELS; i += name[i]! + 1, n++) {
      const len = name[i];
      // The root label ends the name; a pointer or a malformed length ends the walk.
      if (len === undefined || len === 0 || len >= 0x40 || offset + i >= MAX_COMPRESSION_OFFSET) return;
      const key = name.toString('latin1', i);
      if (!this.#seen.has(key)) this.#seen.set(key, offset + i);
    }
  }

  /** The longest remembered suffix of `name`: where it starts in `name` and its offset in the message. */
  find(name: Buffer): { at: number; pointer: number } | undefined {
    for (let i = 0, n = 0; n < MAX_LABELS; i += name[i]! + 1, n++) {
      const len = name[i];
      if (len === undefined || len === 0 || len >= 0x40) return undefined;
      const pointer = this.#seen.get(name.toString('latin1', i));
      if (pointer !== undefined) return { at: i, pointer };
    }
    return undefined;
  }
}

/**
 * Writes the uncompressed wire name `name` at `offset` (or only measures it when `buf` is
 * undefined) and returns the offset after it. With a table its suffixes are remembered, and
 * when `compress` is set the name ends in a pointer to its longest suffix already written.
 */
export function putName(name: Buffer, table: NameTable | undefined, compress: boolean, buf: Buffer | undefined, offset: number): number {
  const hit = compress ? table?.find(name) : undefined;
  if (hit) {
    table!.remember(name, offset, hit.at);
    if (buf) {
      name.copy(buf, offset, 0, hit.at);
      buf.writeUInt16BE(0xc000 | hit.pointer, offset + hit.at);
    }
    return offset + hit.at + 2;
  }
  table?.remember(name, offset);
  if (buf) name.copy(buf, offset);
  return offset + name.length;
}
