#!/bin/sh
# The lb container: nginx in front, proconsul-template keeping its upstream in step with the
# catalog. nginx starts with no site; the first render adds conf.d/web.conf and reloads it.
# Every render is checked with `nginx -t` before the reload (a broken one is rolled back).
# Extra arguments go to proconsul-template (e.g. -log-level debug).
set -e
nginx
exec proconsul-template \
  -consul-addr "${CONSUL_HTTP_ADDR:-agent:8500}" \
  -template "/etc/proconsul-template/nginx.conf.ctmpl:/etc/nginx/conf.d/web.conf:nginx -s reload" \
  -validate "nginx -t -q" \
  -wait "${TEMPLATE_WAIT:-100ms:1s}" \
  "$@"
