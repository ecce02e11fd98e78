"""Transactions (python-consul 0.7.1 has no txn API: sent through its own HTTP client) and the
legacy ACL API it still offers, which Consul no longer serves."""
import base64
import json
import os

import requests
from common import CB, client, expect, expect_true, report

c = client()

ops = [
    {'KV': {'Verb': 'set', 'Key': 'py/txn/a', 'Value': base64.b64encode(b'one').decode()}},
    {'KV': {'Verb': 'set', 'Key': 'py/txn/b', 'Value': base64.b64encode(b'two').decode(), 'Flags': 7}},
    {'KV': {'Verb': 'get', 'Key': 'py/txn/a'}},
]
result = c.http.put(CB.json(), '/v1/txn', data=json.dumps(ops))
expect(result['Errors'], None, 'txn errors')
expect([r['KV']['Key'] for r in result['Results']], ['py/txn/a', 'py/txn/b', 'py/txn/a'], 'txn results')
expect(c.kv.get('py/txn/b')[1]['Flags'], 7, 'txn write visible to kv.get')

# A failing op rolls the whole transaction back; Consul answers 409 with the errors.
failing = [
    {'KV': {'Verb': 'set', 'Key': 'py/txn/c', 'Value': base64.b64encode(b'three').decode()}},
    {'KV': {'Verb': 'cas', 'Key': 'py/txn/a', 'Value': '', 'Index': 1}},
]
raw = c.http.put(lambda r: r, '/v1/txn', data=json.dumps(failing))
expect(raw.code, 409, 'failed txn status')
expect(json.loads(raw.body)['Errors'][0]['OpIndex'], 1, 'failed op index')
expect(c.kv.get('py/txn/c')[1], None, 'rolled back')
c.kv.delete('py/txn', recurse=True)

# Legacy ACL API: removed from Consul (1.11 answered 410; today the routes are gone and the
# catch-all answers 404). python-consul cannot read that answer (it looks for X-Consul-Index).
legacy = {
    'list': lambda: c.acl.list(),
    'info': lambda: c.acl.info('anonymous'),
    'create': lambda: c.acl.create(name='py'),
    'update': lambda: c.acl.update('anonymous', name='py'),
    'clone': lambda: c.acl.clone('anonymous'),
    'destroy': lambda: c.acl.destroy('anonymous'),
}
failures = {}
for name, call in legacy.items():
    try:
        call()
    except KeyError as e:  # the 404 has no X-Consul-Index for python-consul to read
        failures[name] = repr(e)
        continue
    raise AssertionError('acl.%s worked' % name)
base = 'http://' + os.environ['CONSUL_HTTP_ADDR']
answers = set()
for method, path in (('GET', '/v1/acl/list'), ('GET', '/v1/acl/info/anonymous'), ('PUT', '/v1/acl/create'),
                     ('PUT', '/v1/acl/update'), ('PUT', '/v1/acl/clone/anonymous'), ('PUT', '/v1/acl/destroy/anonymous')):
    r = requests.request(method, base + path, timeout=10)
    answers.add((r.status_code, r.text))
expect(answers, {(404, 'Invalid URL path: not a recognized HTTP API endpoint\n')}, 'legacy ACL paths')

report(txn=len(result['Results']), legacy=failures)
