"""Sessions: create (defaults, name/ttl/behavior/lock-delay, node checks), list, node, info,
renew, destroy; a `delete` session's lock goes with it."""
import os

import consul
from common import client, expect, expect_true, report

c = client()
node = os.environ['NODE']

plain = c.session.create()
_, info = c.session.info(plain)
expect((info['Node'], info['Behavior'], info['LockDelay'], info['TTL']), (node, 'release', 15000000000, ''), 'default session')

ttl = c.session.create(name='py-ttl', ttl=20, behavior='delete', lock_delay=0)
_, info = c.session.info(ttl)
expect((info['Name'], info['Behavior'], info['LockDelay'], info['TTL']), ('py-ttl', 'delete', 0, '20s'), 'ttl session')

checked = c.session.create(node=node, checks=['serfHealth'], lock_delay=5)
_, info = c.session.info(checked)
expect((info['NodeChecks'], info['LockDelay']), (['serfHealth'], 5000000000), 'session with node checks')

# A check that does not exist is refused with Consul's 500 (the RPC error).
try:
    c.session.create(checks=['no-such-check'])
    raise AssertionError('a session on a missing check was created')
except consul.ConsulException as e:
    missing_check = str(e)

index, sessions = c.session.list()
expect(sorted(s['ID'] for s in sessions), sorted([plain, ttl, checked]), 'list')
expect_true(int(index) > 0, 'list index', index)
expect(sorted(s['ID'] for s in c.session.node(node)[1]), sorted([plain, ttl, checked]), 'node')
expect(c.session.node('nope')[1], [], 'sessions of an unknown node')
expect(c.session.info('00000000-0000-0000-0000-000000000000')[1], None, 'info of an unknown session')

renewed = c.session.renew(ttl)
expect((renewed['ID'], renewed['TTL']), (ttl, '20s'), 'renew')
try:
    c.session.renew('00000000-0000-0000-0000-000000000000')
    raise AssertionError('renewed an unknown session')
except consul.NotFound as e:
    renew_missing = str(e)

# Destroying a `delete` session deletes the key it holds; a `release` one only lets go.
expect(c.kv.put('py/session/delete', 'x', acquire=ttl), True, 'acquire with the delete session')
expect(c.kv.put('py/session/release', 'y', acquire=plain), True, 'acquire with the release session')
for sid in (ttl, plain, checked):
    expect(c.session.destroy(sid), True, 'destroy')
expect(c.kv.get('py/session/delete')[1], None, 'key of the delete session deleted')
kept = c.kv.get('py/session/release')[1]
expect((kept['Value'], 'Session' in kept), (b'y', False), 'key of the release session released')
expect(c.session.list()[1], [], 'no sessions left')
c.kv.delete('py/session', recurse=True)

report(missing_check=missing_check, renew_missing=renew_missing)
