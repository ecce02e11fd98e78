"""Agent: self, members, maintenance, services and checks registered with python-consul's
Check helpers, TTL updates, deregistration; join and force-leave as python-consul sends them."""
import os

import consul
from common import client, expect, expect_true, put, report

c = client()
node = os.environ['NODE']
addr = os.environ['CONSUL_HTTP_ADDR'].split(':')[0]

me = c.agent.self()
expect(me['Config']['NodeName'], node, 'self: node name')
expect(me['Member']['Name'], node, 'self: member')
members = c.agent.members()
expect([(m['Name'], m['Status']) for m in members], [(node, 1)], 'members')
expect([m['Name'] for m in c.agent.members(wan=True)], [node + '.dc1'], 'WAN members')

# Node maintenance: python-consul sends enable=True / enable=False (Python's spelling).
expect(c.agent.maintenance(True, 'py upgrade'), True, 'maintenance on')
maint = c.agent.checks()['_node_maintenance']
expect((maint['Status'], maint['Notes']), ('critical', 'py upgrade'), 'maintenance check')
expect(c.agent.maintenance(False), True, 'maintenance off')
expect('_node_maintenance' in c.agent.checks(), False, 'maintenance check gone')

# Services, with each of python-consul's check helpers (lower-case keys in the body).
http_url = 'http://%s/v1/status/leader' % os.environ['CONSUL_HTTP_ADDR']
expect(c.agent.service.register('web', service_id='web1', address='127.0.0.9', port=80,
                                tags=['v1'], check=consul.Check.ttl('30s')), True, 'register ttl service')
expect(c.agent.service.register('api', service_id='api1', port=81,
                                check=consul.Check.http(http_url, '1s', timeout='1s', deregister='10m')),
       True, 'register http service')
expect(c.agent.service.register('db', port=5432,
                                check=consul.Check.tcp(addr, int(os.environ['CONSUL_HTTP_ADDR'].split(':')[1]), '1s')),
       True, 'register tcp service')
expect(c.agent.service.register('tagged', enable_tag_override=True), True, 'register with tag override')
expect(c.agent.service.register('legacy', ttl='30s'), True, 'register with the deprecated ttl=')

services = c.agent.services()
web = services['web1']
expect((web['Service'], web['Address'], web['Port'], web['Tags']), ('web', '127.0.0.9', 80, ['v1']), 'web1')
expect(services['tagged']['EnableTagOverride'], True, 'EnableTagOverride')
expect(sorted(services), ['api1', 'db', 'legacy', 'tagged', 'web1'], 'service ids')

checks = c.agent.checks()
expect((checks['service:web1']['Type'], checks['service:web1']['Status']), ('ttl', 'critical'), 'ttl check starts critical')
expect(checks['service:api1']['Type'], 'http', 'http check')
expect(checks['service:db']['Type'], 'tcp', 'tcp check')
expect(checks['service:legacy']['Type'], 'ttl', 'deprecated ttl= check')

# Service maintenance.
expect(c.agent.service.maintenance('web1', True, 'py drain'), True, 'service maintenance on')
smaint = c.agent.checks()['_service_maintenance:web1']
expect((smaint['Status'], smaint['Notes'], smaint['ServiceID']), ('critical', 'py drain', 'web1'), 'service maintenance check')
expect(c.agent.service.maintenance('web1', False), True, 'service maintenance off')
expect('_service_maintenance:web1' in c.agent.checks(), False, 'service maintenance check gone')

# A check of its own, bound to a service.
expect(c.agent.check.register('py check', consul.Check.ttl('30s'), check_id='pyc', notes='from python',
                              service_id='web1'), True, 'check register')
pyc = c.agent.checks()['pyc']
expect((pyc['Name'], pyc['Notes'], pyc['ServiceID'], pyc['Status']), ('py check', 'from python', 'web1', 'critical'), 'registered check')

# python-consul 0.7.1 sends `script` (removed in Consul 1.1 for `args`): Consul refuses the field.
try:
    c.agent.check.register('script', consul.Check.script('/bin/true', '10s'))
    raise AssertionError('a script check was accepted')
except consul.base.BadRequest as e:
    script_error = str(e)
expect(script_error, '400 Request decode failed: json: unknown field "script"', 'script check refused')

# python-consul 0.7.1 sends these as GET; Consul has taken only PUT since 1.0 and answers 405,
# which python-consul reports as False. Nothing changes.
gets = {
    'ttl_pass': c.agent.check.ttl_pass('pyc', 'fine'),
    'ttl_warn': c.agent.check.ttl_warn('pyc', 'hmm'),
    'ttl_fail': c.agent.check.ttl_fail('pyc', 'bad'),
    'check.deregister': c.agent.check.deregister('pyc'),
    'service.deregister': c.agent.service.deregister('legacy'),
    'join': c.agent.join(addr),
    'force_leave': c.agent.force_leave('nobody'),
}
expect(gets, dict((k, False) for k in gets), 'GET-only methods are refused')
expect(c.agent.checks()['pyc']['Status'], 'critical', 'check unchanged by the refused GETs')
expect('legacy' in c.agent.services(), True, 'service kept by the refused GET')

# The same requests as PUT, through python-consul's own HTTP client.
statuses = []
for verb, status in (('pass', 'passing'), ('warn', 'warning'), ('fail', 'critical')):
    expect(put(c, '/v1/agent/check/%s/pyc' % verb, params={'note': verb + ' note'}), True, 'PUT check/' + verb)
    now = c.agent.checks()['pyc']
    expect((now['Status'], now['Output']), (status, verb + ' note'), 'after check/' + verb)
    statuses.append(now['Status'])
expect(put(c, '/v1/agent/check/deregister/pyc'), True, 'PUT check/deregister')
expect('pyc' in c.agent.checks(), False, 'check deregistered')
for sid in ('web1', 'api1', 'db', 'tagged', 'legacy'):
    expect(put(c, '/v1/agent/service/deregister/' + sid), True, 'PUT service/deregister ' + sid)
expect(c.agent.services(), {}, 'all services deregistered')
expect(sorted(c.agent.checks()), [], 'their checks went with them')

report(statuses=statuses, refused=sorted(gets), script_error=script_error)
