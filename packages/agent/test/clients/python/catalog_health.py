"""Catalog register/deregister and reads; health by service (passing), checks, state and node."""
import os
import threading

import consul
from common import client, expect, expect_true, report

c = client()
node = os.environ['NODE']

expect(c.catalog.datacenters(), ['dc1'], 'datacenters')

# External nodes, as python-consul builds the body (lower-case node/address/service/check).
expect(c.catalog.register('ext-1', '10.1.0.1',
                          service={'Service': 'ext', 'ID': 'ext-a', 'Port': 8080, 'Tags': ['blue']},
                          check={'Name': 'ext alive', 'CheckID': 'ext-a-alive', 'Status': 'passing', 'ServiceID': 'ext-a'}),
       True, 'register ext-1')
expect(c.catalog.register('ext-2', '10.1.0.2',
                          service={'service': 'ext', 'id': 'ext-b', 'port': 8081, 'tags': ['green']},
                          check={'name': 'ext alive', 'checkid': 'ext-b-alive', 'status': 'critical', 'serviceid': 'ext-b'}),
       True, 'register ext-2 (lower-case keys)')
expect(c.catalog.register('ext-3', '10.1.0.3'), True, 'register a bare node')
# Given a token, python-consul 0.7.1 also puts WriteRequest in the body: Consul's strict decoder
# refuses that field (the token in ?token= alone would do).
try:
    c.catalog.register('ext-4', '10.1.0.4', token='any')
    raise AssertionError('a body with WriteRequest was accepted')
except consul.base.BadRequest as e:
    token_error = str(e)
expect(token_error, '400 Request decode failed: json: unknown field "WriteRequest"', 'register with a token')

index, nodes = c.catalog.nodes()
expect(sorted(n['Node'] for n in nodes), sorted([node, 'ext-1', 'ext-2', 'ext-3']), 'nodes')
expect_true(int(index) > 0, 'nodes index', index)
# ?near sorts by coordinates the agent may not have sent yet: only the set is checked.
expect(sorted(n['Node'] for n in c.catalog.nodes(near='_agent')[1]), sorted(n['Node'] for n in nodes), 'nodes near _agent')
expect(c.catalog.services()[1]['ext'], ['blue', 'green'], 'services: ext tags')

_, ext1 = c.catalog.node('ext-1')
expect((ext1['Node']['Address'], ext1['Services']['ext-a']['Port']), ('10.1.0.1', 8080), 'node ext-1')
expect(c.catalog.node('nope')[1], None, 'missing node')

_, ext = c.catalog.service('ext')
expect(sorted((s['Node'], s['ServiceID'], s['ServicePort']) for s in ext),
       [('ext-1', 'ext-a', 8080), ('ext-2', 'ext-b', 8081)], 'service ext')
expect([s['Node'] for s in c.catalog.service('ext', tag='green')[1]], ['ext-2'], 'service ext with tag green')

# Health.
_, all_ext = c.health.service('ext')
expect(len(all_ext), 2, 'health.service: both instances')
_, passing = c.health.service('ext', passing=True)
expect([e['Node']['Node'] for e in passing], ['ext-1'], 'health.service passing')
expect([e['Service']['ID'] for e in c.health.service('ext', tag='blue')[1]], ['ext-a'], 'health.service tag')
_, ext_checks = c.health.checks('ext')
expect(sorted((k['CheckID'], k['Status']) for k in ext_checks),
       [('ext-a-alive', 'passing'), ('ext-b-alive', 'critical')], 'health.checks')
expect([k['CheckID'] for k in c.health.state('critical')[1]], ['ext-b-alive'], 'health.state critical')
expect_true({'ext-a-alive', 'serfHealth'} <= {k['CheckID'] for k in c.health.state('passing')[1]}, 'health.state passing')
expect(len(c.health.state('any')[1]), 3, 'health.state any')
expect(c.health.state('warning')[1], [], 'health.state warning')
expect([k['CheckID'] for k in c.health.node(node)[1]], ['serfHealth'], 'health.node')

# A blocking health query wakes on a check change.
index = c.health.service('ext', passing=True)[0]
threading.Timer(0.5, lambda: c.catalog.register(
    'ext-2', '10.1.0.2', check={'Name': 'ext alive', 'CheckID': 'ext-b-alive', 'Status': 'passing', 'ServiceID': 'ext-b'})).start()
new_index, passing = c.health.service('ext', passing=True, index=index, wait='20s')
expect(sorted(e['Node']['Node'] for e in passing), ['ext-1', 'ext-2'], 'blocking health.service after the check passed')
expect_true(int(new_index) > int(index), 'health index moves', (index, new_index))

# Deregistration: a check, a service, a node.
expect(c.catalog.deregister('ext-1', check_id='ext-a-alive'), True, 'deregister a check')
expect(c.health.checks('ext')[1][0]['CheckID'], 'ext-b-alive', 'check gone')
expect(c.catalog.deregister('ext-2', service_id='ext-b'), True, 'deregister a service')
expect([s['Node'] for s in c.catalog.service('ext')[1]], ['ext-1'], 'service instance gone')
for n in ('ext-1', 'ext-2', 'ext-3'):
    expect(c.catalog.deregister(n), True, 'deregister node ' + n)
expect([n['Node'] for n in c.catalog.nodes()[1]], [node], 'only the agent is left')
expect('ext' in c.catalog.services()[1], False, 'service ext gone')

report(nodes=len(nodes), passing=sorted(e['Node']['Node'] for e in passing), token_error=token_error)
