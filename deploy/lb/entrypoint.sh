#!/bin/sh
# The lb container: nginx in front, proconsul-template keeping its upstream "web" in step with
# the catalog (passing instances only). Two ways, chosen by LB_MODE:
#   template (default)  the tutorials' way: nginx.conf.ctmpl is rendered into conf.d/web.conf
#                       (nginx starts with no site; the first render adds it).
#   nginx-conf          no template: nginx.handwritten.conf (or a file mounted at
#                       /etc/nginx/nginx.conf with LB_NGINX_CONF=mounted) is a plain nginx.conf;
#                       only the `server` lines of its `upstream web` block are rewritten.
# Either way every change is checked with `nginx -t` before the reload (a broken one is rolled
# back). Extra arguments go to proconsul-template (e.g. -log-level debug).
# -consul-retry-attempts 0: an lb keeps serving its last upstreams and retries for as long as the
# agent is away (consul-template's default gives up, and exits, after 12 attempts).
# -consul-retry-max-backoff 5s: and finds the agent within seconds of its return (the default
# doubles up to 1m, so an lb that started before its agent could wait a minute for its first
# render: a Swarm node's lb refused connections for 3 minutes in CI).
set -e
# With ACLs, the token may come from a file (a volume the stack fills at its first start).
if [ -n "${CONSUL_HTTP_TOKEN_FILE:-}" ]; then CONSUL_HTTP_TOKEN="$(cat "$CONSUL_HTTP_TOKEN_FILE")"; export CONSUL_HTTP_TOKEN; fi
addr="${CONSUL_HTTP_ADDR:-agent:8500}"
wait="${TEMPLATE_WAIT:-100ms:1s}"
case "${LB_MODE:-template}" in
  template)
    nginx
    exec proconsul-template -consul-addr "$addr" -consul-retry-attempts 0 -consul-retry-max-backoff 5s -wait "$wait" \
      -template "/etc/proconsul-template/nginx.conf.ctmpl:/etc/nginx/conf.d/web.conf:nginx -s reload" \
      -validate "nginx -t -q" "$@" ;;
  nginx-conf)
    [ "${LB_NGINX_CONF:-}" = mounted ] || cp /etc/proconsul-template/nginx.handwritten.conf /etc/nginx/nginx.conf
    nginx
    exec proconsul-template -consul-addr "$addr" -consul-retry-attempts 0 -consul-retry-max-backoff 5s -wait "$wait" \
      -nginx-conf /etc/nginx/nginx.conf -nginx-upstream "${LB_UPSTREAMS:-web=web}" "$@" ;;
  *) echo "lb: LB_MODE must be template or nginx-conf, not ${LB_MODE}" >&2; exit 1 ;;
esac
