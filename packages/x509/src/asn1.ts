/**
 * The ASN.1 library, required on first use: it costs ~60 ms and ~10 MB to load, and importing
 * this package must stay cheap (proconsul-template's Sprig functions are synchronous, and a
 * template that never builds a certificate must not pay for it). @peculiar's packages are
 * CommonJS without `exports`, so this is the same module instance an ESM `import` of them gets.
 */
import { createRequire } from 'node:module';
import type * as Asn1Schema from '@peculiar/asn1-schema';
import type * as Asn1X509 from '@peculiar/asn1-x509';

export interface Asn1 {
  schema: typeof Asn1Schema;
  x509: typeof Asn1X509;
}

let loaded: Asn1 | undefined;

/** @peculiar/asn1-schema (`AsnConvert`, `OctetString`) and @peculiar/asn1-x509 (RFC 5280's structures). */
export function asn1(): Asn1 {
  if (!loaded) {
    const load = createRequire(import.meta.url);
    loaded = { schema: load('@peculiar/asn1-schema') as typeof Asn1Schema, x509: load('@peculiar/asn1-x509') as typeof Asn1X509 };
  }
  return loaded;
}
