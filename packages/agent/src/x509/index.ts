/** @proconsul/agent/x509: certificate building shared by the Connect CA and `proconsul tls`. */
export * from './builder.js';
export { createCsr, parseCsr, type CsrSans, type ParsedCsr } from './csr.js';
