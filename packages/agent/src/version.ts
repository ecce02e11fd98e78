/** Proconsul's own version (packages move together). */
export const PROCONSUL_VERSION = '0.1.0';
/** The Consul release whose HTTP API and behaviour Proconsul follows (reported as Config.Version). */
export const CONSUL_VERSION = '1.17.0';
