/** Consul's default config source (agent/config/default.go) and its -dev source, as fragments. */

export const DEFAULT_SOURCE: Record<string, unknown> = {
  // Consul 1.14+ (agent/config/default.go): Connect, and so the built-in CA, is on by default.
  connect: { enabled: true },
  autopilot: {
    cleanup_dead_servers: true,
    last_contact_threshold: '200ms',
    max_trailing_logs: 250,
    min_quorum: 0,
    server_stabilization_time: '10s',
    redundancy_zone_tag: '',
    disable_upgrade_migration: false,
    upgrade_version_tag: '',
  },
  bind_addr: '0.0.0.0',
  bootstrap: false,
  bootstrap_expect: 0,
  check_output_max_size: 4096,
  check_update_interval: '5m',
  performance: { rpc_hold_timeout: '7s' },
  default_query_time: '300s',
  discard_check_output: false,
  max_query_time: '600s',
  session_ttl_min: '10s',
  client_addr: '127.0.0.1',
  datacenter: 'dc1',
  disable_host_node_id: true,
  disable_remote_exec: true,
  domain: 'consul.',
  enable_central_service_config: true,
  enable_local_script_checks: undefined,
  enable_script_checks: false,
  encrypt_verify_incoming: true,
  encrypt_verify_outgoing: true,
  limits: {
    http_max_conns_per_client: 200,
    rpc_max_conns_per_client: 100,
    // raft.SuggestedMaxDataSize, Consul's default of both.
    kv_max_value_size: 512 * 1024,
    txn_max_req_len: 512 * 1024,
  },
  log_level: 'INFO',
  log_json: false,
  rejoin_after_leave: false,
  raft_snapshot_interval: '120s',
  raft_snapshot_threshold: 16384,
  // Consul's non-user source and consul.coordinate defaults (agent/config/default.go).
  sync_coordinate_rate_target: 64,
  sync_coordinate_interval_min: '15s',
  consul: { coordinate: { update_batch_size: 128, update_max_batches: 5, update_period: '5s' } },
  retry_interval: '30s',
  retry_interval_wan: '30s',
  retry_max: 0,
  retry_max_wan: 0,
  server: false,
  dns_config: {
    allow_stale: true,
    a_record_limit: 0,
    disable_compression: false,
    enable_additional_node_meta_txt: true,
    enable_truncate: false,
    max_stale: '87600h',
    node_ttl: '0s',
    only_passing: false,
    recursor_timeout: '2s',
    udp_answer_limit: 3,
  },
  ports: {
    dns: 8600,
    http: 8500,
    https: -1,
    grpc: -1,
    serf_lan: 8301,
    serf_wan: 8302,
    server: 8300,
    sidecar_min_port: 21000,
    sidecar_max_port: 21255,
  },
  telemetry: {
    disable_hostname: false,
    metrics_prefix: 'consul',
    // Consul's default is 0 (no Prometheus output); Proconsul serves ?format=prometheus out of the box.
    prometheus_retention_time: '60s',
  },
};

/**
 * Consul's DevSource: a server on 127.0.0.1 with the UI and debug logging. Consul's dev
 * server bootstraps itself; `bootstrap: true` says so here.
 */
export const DEV_SOURCE: Record<string, unknown> = {
  bind_addr: '127.0.0.1',
  bootstrap: true,
  log_level: 'DEBUG',
  server: true,
  ui_config: { enabled: true },
  ports: { grpc: 8502 },
  // Consul's DevSource: Connect (the built-in CA) is on in dev mode.
  connect: { enabled: true },
};
