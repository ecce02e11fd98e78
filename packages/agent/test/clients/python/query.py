"""Prepared queries: create, list, get, update, execute, explain, delete. python-consul 0.7.1
always sends Template.Type name_prefix_match, so each of its queries is a template."""
import consul
from common import client, expect, expect_true, report

c = client()

for sid, tags, status in (('web-a', ['v1'], 'passing'), ('web-b', ['v2'], 'passing'), ('web-c', ['v1'], 'critical')):
    c.catalog.register('q-' + sid, '10.2.0.%d' % (ord(sid[-1]) - 96),
                       service={'Service': 'web', 'ID': sid, 'Port': 80, 'Tags': tags},
                       check={'Name': 'alive', 'CheckID': sid + '-alive', 'Status': status, 'ServiceID': sid})

created = c.query.create('web', name='py-web', onlypassing=True, tags=['v1'], ttl='10s', nearestn=2, datacenters=['dc2'])
qid = created['ID']
expect_true(len(qid) == 36, 'create returns an ID', created)
geo = c.query.create('${match(1)}', name='py-geo-', regexp='^py-geo-(.*)$')['ID']

listed = dict((q['Name'], q) for q in c.query.list())
expect(sorted(listed), ['py-geo-', 'py-web'], 'list')
q = c.query.get(qid)[0]
expect((q['Service']['Service'], q['Service']['OnlyPassing'], q['Service']['Tags'], q['DNS']['TTL']),
       ('web', True, ['v1'], '10s'), 'get: service part')
expect((q['Service']['Failover']['NearestN'], q['Service']['Failover']['Datacenters']), (2, ['dc2']), 'get: failover')
expect(q['Template']['Type'], 'name_prefix_match', 'get: python-consul made it a template')

result = c.query.execute('py-web')
expect([n['Service']['ID'] for n in result['Nodes']], ['web-a'], 'execute: passing v1 instances')
expect((result['Service'], result['DNS']['TTL'], result['Datacenter']), ('web', '10s', 'dc1'), 'execute: header')
expect(len(c.query.execute('py-web', limit=1)['Nodes']), 1, 'execute with limit')

expect(c.query.update(qid, 'web', name='py-web', tags=['v2']), True, 'update')
expect(c.query.get(qid)[0]['Service']['Tags'], ['v2'], 'get after update')
expect([n['Service']['ID'] for n in c.query.execute('py-web')['Nodes']], ['web-b'], 'execute after update')
# A template resolves only by name (Consul's words), so python-consul's queries cannot run by ID.
try:
    c.query.execute(qid)
    raise AssertionError('a template ran by ID')
except consul.ConsulException as e:
    by_id = str(e)
expect_true('prepared query templates can only be resolved up by name, not by ID' in by_id, 'execute by ID', by_id)

by_template = c.query.execute('py-geo-web')
expect(sorted(n['Service']['ID'] for n in by_template['Nodes']), ['web-a', 'web-b'], 'execute a regexp template (critical never returned)')
explained = c.query.explain('py-geo-web')
expect((explained['Query']['Service']['Service'], explained['Query']['ID']), ('web', geo), 'explain renders the template')

expect(c.query.delete(qid), True, 'delete')
expect(c.query.delete(geo), True, 'delete the template')
expect(c.query.list(), [], 'no queries left')
for sid in ('web-a', 'web-b', 'web-c'):
    c.catalog.deregister('q-' + sid)

report(query=qid, template=by_template['Service'])
