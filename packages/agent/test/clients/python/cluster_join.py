"""On a client agent of a server + two clients: join (python-consul's GET, then PUT), members,
status, raft configuration, coordinates, events across agents, a session on another node.
Env: CONSUL_HTTP_ADDR (client 1), SERVER (server IP), SERVER_NODE, SERVER_HTTP (its host:port),
NODE (client 1), JOIN (client 2's IP, not joined yet), JOIN_NODE."""
import os
import threading

from common import client, eventually, expect, expect_true, put, report

c = client()
server, server_node, node = os.environ['SERVER'], os.environ['SERVER_NODE'], os.environ['NODE']
joiner, joiner_node = os.environ['JOIN'], os.environ['JOIN_NODE']
on_server = client(os.environ['SERVER_HTTP'])


def alive():
    return sorted(m['Name'] for m in c.agent.members() if m['Status'] == 1)


expect(alive(), sorted([server_node, node]), 'members before the join')
expect(c.agent.join(joiner), False, 'join as python-consul sends it (GET): 405')
expect(put(c, '/v1/agent/join/' + joiner), True, 'join as PUT')
members = eventually(lambda: alive() == sorted([server_node, node, joiner_node]) and alive(), 'three members')
expect([m['Name'] for m in on_server.agent.members(wan=True)], [server_node + '.dc1'], 'WAN members of the server')
expect(c.agent.members(wan=True), None, 'WAN members of a client agent: null, as Consul')

expect(c.status.leader(), server + ':8300', 'status.leader')
expect(c.status.peers(), [server + ':8300'], 'status.peers')
raft = c.operator.raft_config()
expect([(s['Node'], s['Address'], s['Leader'], s['Voter']) for s in raft['Servers']],
       [(server_node, server + ':8300', True, True)], 'operator raft configuration')

nodes = eventually(lambda: sorted(n['Node'] for n in c.catalog.nodes()[1]) == members and members, 'catalog nodes')
expect([k['CheckID'] + ':' + k['Status'] for k in c.health.node(joiner_node)[1]], ['serfHealth:passing'], 'health.node of the joined agent')

dcs = c.coordinate.datacenters()
expect([(d['Datacenter'], [x['Node'] for x in d['Coordinates']]) for d in dcs], [('dc1', [server_node])], 'coordinate datacenters (the .dc suffix stripped, as Consul)')
coords = eventually(lambda: sorted(x['Node'] for x in c.coordinate.nodes()[1]) == members and members,
                    'coordinates of all three nodes', tries=180)  # agents send them every 15 s or more

# Events: fired on client 1, seen by every agent; a blocking list wakes on the next one.
fired = c.event.fire('py-deploy', 'v42')
expect((fired['Name'], fired['Payload']), ('py-deploy', 'djQy'), 'fire: base64 payload in the answer')
seen = eventually(lambda: [e for e in on_server.event.list(name='py-deploy')[1] if e['ID'] == fired['ID']], 'event on the server')
expect(seen[0]['Payload'], b'v42', 'payload decoded by python-consul')
index, _ = c.event.list()
threading.Timer(0.5, lambda: c.event.fire('py-second', 'x')).start()
_, after = c.event.list(index=index, wait='20s')
expect_true('py-second' in [e['Name'] for e in after], 'blocking event list wakes on a new event', after)
# A node filter: only the server keeps it.
filtered = c.event.fire('py-only-server', node='^%s$' % server_node)
expect(filtered['NodeFilter'], '^%s$' % server_node, 'fire with a node filter')
eventually(lambda: any(e['ID'] == filtered['ID'] for e in on_server.event.list(name='py-only-server')[1]), 'filtered event on the server')
expect(c.event.list(name='py-only-server')[1], [], 'filtered event not kept by client 1')

# A session bound to the joined agent's node (its serfHealth): the cluster test kills that agent next.
sid = c.session.create(name='py-on-joiner', node=joiner_node)
expect([s['ID'] for s in c.session.node(joiner_node)[1]], [sid], 'session on the joined node')
expect(c.kv.put('py/joiner-lock', 'held', acquire=sid), True, 'lock held by that session')

report(members=members, nodes=nodes, coordinates=coords, session=sid)
