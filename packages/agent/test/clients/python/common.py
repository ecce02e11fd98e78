"""Shared bits of the python-consul scripts run by ../python-consul.test.ts.

The client comes from CONSUL_HTTP_ADDR, which python-consul 0.7.1 reads itself. Each script
raises on the first mismatch (exit 1, traceback on stderr) and prints one JSON line of what
it saw on success, for the test to assert on.
"""
import json
import os
import time

import consul
from consul.base import CB


def client(addr=None):
    """python-consul's client for CONSUL_HTTP_ADDR, or for addr ("host:port"); the variable would
    win over host= and port=, so it is set aside while the client is made."""
    if addr is None:
        return consul.Consul()
    saved = os.environ.pop('CONSUL_HTTP_ADDR', None)
    try:
        host, port = addr.split(':')
        return consul.Consul(host=host, port=int(port))
    finally:
        if saved is not None:
            os.environ['CONSUL_HTTP_ADDR'] = saved


def expect(actual, expected, what):
    if actual != expected:
        raise AssertionError('%s: expected %r, got %r' % (what, expected, actual))


def expect_true(cond, what, seen=None):
    if not cond:
        raise AssertionError('%s (saw %r)' % (what, seen))


def eventually(fn, what, tries=60, every=0.5):
    """fn() until it returns a truthy value, bounded in count and time."""
    last = None
    for _ in range(tries):
        last = fn()
        if last:
            return last
        time.sleep(every)
    raise AssertionError('%s: never happened (last %r)' % (what, last))


def put(c, path, params=None, data=''):
    """PUT through python-consul's own HTTP client: the workaround for the methods it still
    sends as GET (Consul 1.0 made them PUT-only, so Consul answers those GETs 405)."""
    return c.http.put(CB.bool(), path, params=params, data=data)


def report(**seen):
    print(json.dumps(seen, sort_keys=True, default=repr))
