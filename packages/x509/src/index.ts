/**
 * @proconsul/x509: X.509 certificates and PKCS #10 requests, laid out with @peculiar/asn1-x509
 * and signed with node:crypto. The agent's Connect CA, auto_encrypt/auto_config and
 * `proconsul tls` build with it, proconsul-template's Sprig certificate functions too. Importing
 * it is cheap: the ASN.1 library loads on the first call that needs it.
 */
export { asn1, type Asn1 } from './asn1.js';
export { ECDSA_WITH_SHA256, ECDSA_WITH_SHA384, ECDSA_WITH_SHA512, goSigAlgFor, hashFor, PURE_ED25519, SHA256_WITH_RSA, sigAlgFor, sigAlgId } from './algorithms.js';
export {
  derInteger,
  dn,
  ext,
  hexString,
  keyIdSha1,
  keyIdSha256,
  newKey,
  OID,
  parseCertificate,
  privateKeyPem,
  randomSerial,
  signCert,
  type KeyType,
  type NewKey,
} from './builder.js';
export { createCsr, parseCsr, type CsrSans, type ParsedCsr } from './csr.js';
export { pemDecode, pemEncode } from './pem.js';
