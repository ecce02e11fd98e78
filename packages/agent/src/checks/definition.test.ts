import { describe, expect, it } from 'vitest';
import {
  assertScriptChecksAllowed,
  checkKind,
  parseCheckDefinition,
  parseCheckType,
  toCheckSpec,
  validateCheckType,
} from './definition.js';
import { DecodeError } from './decode.js';
import { CheckDefinitionError, SCRIPTS_DISABLED_LOCAL, SCRIPTS_DISABLED_REMOTE } from './errors.js';

describe('parseCheckType', () => {
  it('reads PascalCase from the HTTP API and snake_case from config files alike', () => {
    const api = parseCheckType({
      CheckID: 'web-http',
      HTTP: 'http://127.0.8.1/health',
      Header: { 'X-Token': ['a'] },
      TLSSkipVerify: true,
      Interval: '10s',
      DeregisterCriticalServiceAfter: '90m',
      SuccessBeforePassing: 2,
    });
    const file = parseCheckType({
      id: 'web-http',
      http: 'http://127.0.8.1/health',
      header: { 'X-Token': 'a' },
      tls_skip_verify: true,
      interval: '10s',
      deregister_critical_service_after: '90m',
      success_before_passing: 2,
    });
    expect(file).toEqual(api);
    expect(api.Header).toEqual({ 'X-Token': ['a'] });
  });

  it('accepts ScriptArgs, args and script_args for Args', () => {
    for (const key of ['ScriptArgs', 'args', 'script_args', 'Args']) {
      expect(parseCheckType({ [key]: ['/bin/true'], Interval: '1s' }).Args).toEqual(['/bin/true']);
    }
  });

  it('reads a duration given as a JSON number as nanoseconds', () => {
    expect(parseCheckType({ TTL: 30_000_000_000 }).TTL).toBe('30s');
  });

  it('rejects unknown keys naming them, like Go json', () => {
    expect(() => parseCheckType({ HTTP: 'http://x', Intervall: '10s' })).toThrow('json: unknown field "Intervall"');
    try {
      parseCheckType({ Foo: 1 }, 'services[0].check');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DecodeError);
      expect((err as DecodeError).path).toBe('services[0].check.Foo');
    }
  });

  it('rejects wrong types and bad durations', () => {
    expect(() => parseCheckType({ Interval: true })).toThrow(
      'json: cannot unmarshal bool into Go struct field CheckType.Interval of type time.Duration',
    );
    expect(() => parseCheckType({ Interval: '10 seconds' })).toThrow('time: unknown unit " seconds" in duration "10 seconds"');
    expect(() => parseCheckType('x')).toThrow(DecodeError);
  });

  it('rejects a bad Status with Consul\'s message and says which check types are not supported', () => {
    expect(() => parseCheckType({ TTL: '10s', Status: 'ok' })).toThrow("Status for checks must 'passing', 'warning', 'critical'");
    expect(() => parseCheckType({ OSService: 'sshd', Interval: '10s' })).toThrow('OSService checks are not supported');
  });
});

describe('parseCheckDefinition', () => {
  it('takes ID (or CheckID), ServiceID and the CheckType fields', () => {
    expect(parseCheckDefinition({ id: 'mem', name: 'Memory', service_id: 'web', ttl: '30s', notes: 'n' })).toEqual({
      ID: 'mem',
      Name: 'Memory',
      ServiceID: 'web',
      TTL: '30s',
      Notes: 'n',
    });
    expect(parseCheckDefinition({ CheckID: 'c' }).ID).toBe('c');
  });
});

describe('validateCheckType', () => {
  it.each([
    [{ TTL: '10s', Interval: '10s', HTTP: 'http://x/' }, 'Interval and TTL cannot both be specified'],
    [{ HTTP: 'http://127.0.8.1/' }, 'Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks'],
    [{ TCP: '127.0.8.1:80' }, 'Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks'],
    [{}, 'TTL must be > 0 for TTL checks'],
    [{ TTL: '10s', FailuresBeforeWarning: 3, FailuresBeforeCritical: 2 }, "FailuresBeforeWarning can't be higher than FailuresBeforeCritical"],
    [{ TCP: '127.0.8.1', Interval: '10s' }, 'address 127.0.8.1: missing port in address'],
    [{ AliasNode: 'n1', TTL: '10s' }, 'TTL must be not be set for Alias checks'],
    [{ AliasService: 'web', TCP: '127.0.8.1:80', Interval: '10s' }, 'Interval cannot be set for Alias checks'],
  ])('refuses %j', (ct, message) => {
    expect(() => validateCheckType(ct)).toThrow(CheckDefinitionError);
    expect(() => validateCheckType(ct)).toThrow(message);
  });

  it('accepts each supported kind', () => {
    expect(() => validateCheckType({ TTL: '10s' })).not.toThrow();
    expect(() => validateCheckType({ HTTP: 'https://127.0.8.1/', Interval: '5s' })).not.toThrow();
    expect(() => validateCheckType({ TCP: '[::1]:80', Interval: '5s' })).not.toThrow();
    expect(() => validateCheckType({ Args: ['true'], Interval: '5s' })).not.toThrow();
    expect(() => validateCheckType({ AliasService: 'web' })).not.toThrow();
  });

  // Consul's IsAlias() is AliasNode or AliasService: AliasNode alone aliases that node's health.
  it('accepts an alias check with only AliasNode', () => {
    expect(() => validateCheckType({ AliasNode: 'n1' })).not.toThrow();
    expect(checkKind({ AliasNode: 'n1' })).toBe('alias');
  });
});

describe('toCheckSpec', () => {
  it('applies Consul defaults: timeouts, minimum interval, thresholds, deregister minimum', () => {
    const http = toCheckSpec({ HTTP: 'http://127.0.8.1/', Interval: '100ms', DeregisterCriticalServiceAfter: '10s' });
    expect(http).toMatchObject({
      kind: 'http',
      intervalMs: 1_000,
      timeoutMs: 10_000,
      deregisterCriticalServiceAfterMs: 60_000,
      successBeforePassing: 0,
      failuresBeforeWarning: 0,
      failuresBeforeCritical: 0,
      outputMaxSize: 0,
      http: { url: 'http://127.0.8.1/', method: 'GET', header: {}, body: '', tlsSkipVerify: false },
    });
    expect(toCheckSpec({ Args: ['true'], Interval: '5s' }).timeoutMs).toBe(30_000);
    expect(toCheckSpec({ TTL: '1m30s' })).toMatchObject({ kind: 'ttl', ttlMs: 90_000, intervalMs: 0 });
    expect(toCheckSpec({ TCP: '127.0.8.1:22', Interval: '1m', FailuresBeforeCritical: 3 })).toMatchObject({
      failuresBeforeWarning: 3,
      failuresBeforeCritical: 3,
      deregisterCriticalServiceAfterMs: 0,
    });
  });

  it('picks the kind with Consul\'s precedence', () => {
    expect(checkKind({ HTTP: 'http://x/', TCP: 'x:1', Args: ['a'] })).toBe('http');
    expect(checkKind({ TCP: 'x:1', Args: ['a'] })).toBe('tcp');
    expect(checkKind({ Args: ['a'] })).toBe('script');
    expect(checkKind({})).toBeUndefined();
  });
});

describe('assertScriptChecksAllowed', () => {
  const script = { Args: ['/bin/true'], Interval: '10s' };
  it('refuses script checks from the API unless enable_script_checks, with Consul\'s text', () => {
    expect(() =>
      assertScriptChecksAllowed(script, { enableScriptChecks: false, enableLocalScriptChecks: true, source: 'remote' }),
    ).toThrow(SCRIPTS_DISABLED_REMOTE);
    expect(() =>
      assertScriptChecksAllowed(script, { enableScriptChecks: true, enableLocalScriptChecks: false, source: 'remote' }),
    ).not.toThrow();
  });
  it('allows config-file script checks with either setting', () => {
    expect(() =>
      assertScriptChecksAllowed(script, { enableScriptChecks: false, enableLocalScriptChecks: false, source: 'local' }),
    ).toThrow(SCRIPTS_DISABLED_LOCAL);
    expect(() =>
      assertScriptChecksAllowed(script, { enableScriptChecks: false, enableLocalScriptChecks: true, source: 'local' }),
    ).not.toThrow();
    expect(() =>
      assertScriptChecksAllowed({ TTL: '1s' }, { enableScriptChecks: false, enableLocalScriptChecks: false, source: 'remote' }),
    ).not.toThrow();
  });
});
