import { describe, expect, it } from 'vitest';
import { withAgentDefaults } from './forward.js';
import type { ForwardedRequest } from '../rpc/messages.js';

const req = (body?: string, method = 'PUT', url = '/v1/session/create'): ForwardedRequest => ({
  method,
  url,
  headers: {},
  ...(body !== undefined ? { body: new Uint8Array(Buffer.from(body)) } : {}),
});
const text = (r: ForwardedRequest): string => Buffer.from(r.body ?? new Uint8Array()).toString();

describe('withAgentDefaults', () => {
  it("binds a session created without Node to the asked agent's node", () => {
    expect(JSON.parse(text(withAgentDefaults(req(), '/v1/session/create', 'client-1')))).toEqual({ Node: 'client-1' });
    expect(JSON.parse(text(withAgentDefaults(req('{"Name":"x","TTL":"10s"}'), '/v1/session/create', 'client-1')))).toEqual({ Name: 'x', TTL: '10s', Node: 'client-1' });
  });

  it('keeps a given Node (in any case), a bad body, and other requests as they are', () => {
    for (const body of ['{"node":"other"}', '{"Node":"other"}', '{not json', '[1]']) {
      expect(text(withAgentDefaults(req(body), '/v1/session/create', 'client-1'))).toBe(body);
    }
    expect(withAgentDefaults(req(undefined, 'GET', '/v1/session/list'), '/v1/session/list', 'client-1').body).toBeUndefined();
    expect(text(withAgentDefaults(req('{}', 'PUT', '/v1/kv/a'), '/v1/kv/a', 'client-1'))).toBe('{}');
  });
});
