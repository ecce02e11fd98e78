"""After the test killed client 2: it is seen failed, python-consul's force_leave (GET) is
refused, the PUT moves it to left, and the session bound to its node is gone with its lock.
Env as cluster_join.py, plus SESSION (the session cluster_join.py made on client 2's node)."""
import os

from common import client, eventually, expect, put, report

c = client()
gone, session = os.environ['JOIN_NODE'], os.environ['SESSION']


def status():
    return dict((m['Name'], m['Status']) for m in c.agent.members()).get(gone)


eventually(lambda: status() == 4, 'killed agent seen failed', tries=120)
# The session's node check (serfHealth) went critical: the session is invalidated, its lock released.
eventually(lambda: c.session.info(session)[1] is None, 'session of the failed node invalidated', tries=60)
lock = c.kv.get('py/joiner-lock')[1]
expect('Session' in lock, False, 'lock released')
expect(c.agent.force_leave(gone), False, 'force_leave as python-consul sends it (GET): 405')
expect(status(), 4, 'still failed after the refused GET')
expect(put(c, '/v1/agent/force-leave/' + gone), True, 'force-leave as PUT')
eventually(lambda: status() == 3, 'forced to left', tries=60)

report(status=status(), lock=lock['Value'])
