"""KV: get/put/delete, flags, recurse, keys with separator, cas, acquire/release, blocking get."""
import threading
import time

from common import client, expect, expect_true, report

c = client()

expect(c.kv.put('py/a', 'one'), True, 'put')
index, item = c.kv.get('py/a')
expect(item['Value'], b'one', 'get value')
expect(item['Flags'], 0, 'default flags')
expect_true(int(index) > 0, 'X-Consul-Index', index)

expect(c.kv.put('py/flagged', 'x', flags=42), True, 'put with flags')
expect(c.kv.get('py/flagged')[1]['Flags'], 42, 'flags read back')

expect(c.kv.put('py/binary', b'\x00\xff\x01'), True, 'put binary')
expect(c.kv.get('py/binary')[1]['Value'], b'\x00\xff\x01', 'binary read back')
expect(c.kv.put('py/empty', None), True, 'put without a body')
expect(c.kv.get('py/empty')[1]['Value'], None, 'empty value is null')

missing_index, missing = c.kv.get('py/missing')
expect(missing, None, 'missing key')
expect_true(int(missing_index) > 0, '404 carries an index', missing_index)

c.kv.put('py/dir/x/y', '1')
c.kv.put('py/dir/z', '2')
_, items = c.kv.get('py/dir', recurse=True)
expect([i['Key'] for i in items], ['py/dir/x/y', 'py/dir/z'], 'recurse')
_, keys = c.kv.get('py/dir/', keys=True, separator='/')
expect(keys, ['py/dir/x/', 'py/dir/z'], 'keys up to the separator')

# Check-and-set: a stale index loses, the current one wins; cas=0 only creates.
modify = c.kv.get('py/a')[1]['ModifyIndex']
expect(c.kv.put('py/a', 'stale', cas=modify - 1), False, 'cas with a stale index')
expect(c.kv.put('py/a', 'two', cas=modify), True, 'cas with the current index')
expect(c.kv.put('py/a', 'again', cas=0), False, 'cas=0 on an existing key')
expect(c.kv.put('py/created', 'new', cas=0), True, 'cas=0 on a new key')
expect(c.kv.get('py/a')[1]['Value'], b'two', 'value after cas')

# Consistency modes are accepted.
expect(c.kv.get('py/a', consistency='stale')[1]['Value'], b'two', 'stale read')
expect(c.kv.get('py/a', consistency='consistent')[1]['Value'], b'two', 'consistent read')

# Blocking get: returns when another writer changes the key, not before.
index = c.kv.get('py/a')[0]
threading.Timer(1.0, lambda: c.kv.put('py/a', 'three')).start()
started = time.time()
new_index, item = c.kv.get('py/a', index=index, wait='20s')
blocked = time.time() - started
expect(item['Value'], b'three', 'blocking get sees the change')
expect_true(int(new_index) > int(index), 'index moves on', (index, new_index))
expect_true(0.7 < blocked < 15, 'blocked until the write', blocked)
# ...and with nothing changing, it waits out ?wait and returns the same index.
started = time.time()
same_index, _ = c.kv.get('py/a', index=new_index, wait='1s')
waited = time.time() - started
expect(same_index, new_index, 'index after a quiet wait')
expect_true(0.9 < waited < 5, 'waited about 1s', waited)

# Locks: acquire with a session, a second session cannot, release.
s1 = c.session.create(name='py-lock-1')
s2 = c.session.create(name='py-lock-2')
expect(c.kv.put('py/lock', 'me', acquire=s1), True, 'acquire')
expect(c.kv.put('py/lock', 'you', acquire=s2), False, 'acquire of a held lock')
held = c.kv.get('py/lock')[1]
expect(held['Session'], s1, 'lock holder')
expect(held['LockIndex'], 1, 'lock index')
expect(c.kv.put('py/lock', 'you', release=s2), False, 'release by a non-holder')
expect(c.kv.put('py/lock', 'done', release=s1), True, 'release')
expect('Session' in c.kv.get('py/lock')[1], False, 'no holder after release')
c.session.destroy(s1)
c.session.destroy(s2)

# Deletes: a cas delete with a stale index does nothing; recurse removes the prefix.
modify = c.kv.get('py/created')[1]['ModifyIndex']
expect(c.kv.delete('py/created', cas=modify + 1000), False, 'delete with a stale cas')
expect(c.kv.delete('py/created', cas=modify), True, 'delete with the current cas')
expect(c.kv.delete('py/flagged'), True, 'delete')
expect(c.kv.get('py/flagged')[1], None, 'deleted key')
expect(c.kv.delete('py/', recurse=True), True, 'delete recurse')
expect(c.kv.get('py/', recurse=True)[1], None, 'prefix gone')

report(blocked=round(blocked, 1), waited=round(waited, 1), keys=keys)
