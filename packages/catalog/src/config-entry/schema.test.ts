// mapstructure v1.5.0's texts (the version Consul 1.17 pins) for values of the wrong type:
// decodeString/decodeInt/decodeFloat end with `, value: '<%v>'`; decodeMap and decodeStruct say
// "expected a map". A JSON body's numbers are float64 to Go, and %v prints maps with sorted keys.
import { describe, expect, it } from 'vitest';
import { decodeConfigEntry, ConfigEntryDecodeError } from './index.js';
import { goValueText } from './schema.js';

function decodeText(fields: Record<string, unknown>, kind = 'service-defaults'): string {
  try {
    decodeConfigEntry({ Kind: kind, Name: 'web', ...fields });
  } catch (err) {
    if (err instanceof ConfigEntryDecodeError) return err.message;
    throw err;
  }
  return 'decoded';
}

describe('decodeStruct type errors', () => {
  it('name the value after the types, as fmt %v prints it', () => {
    expect(decodeText({ Protocol: { b: [1, 2.5], a: 'x' } })).toBe(
      "1 error(s) decoding:\n\n* 'Protocol' expected type 'string', got unconvertible type 'map[string]interface {}', value: 'map[a:x b:[1 2.5]]'",
    );
    expect(decodeText({ MaxInboundConnections: [1, 2] })).toBe(
      "1 error(s) decoding:\n\n* 'MaxInboundConnections' expected type 'int', got unconvertible type '[]interface {}', value: '[1 2]'",
    );
    expect(decodeText({ ConnectTimeout: {} }, 'service-resolver')).toBe(
      "1 error(s) decoding:\n\n* 'ConnectTimeout' expected type 'time.Duration', got unconvertible type 'map[string]interface {}', value: 'map[]'",
    );
  });

  it('a struct or a map from a scalar: "expected a map" with the Go kind', () => {
    expect(decodeText({ Meta: 5, UpstreamConfig: 'x' })).toBe(
      "2 error(s) decoding:\n\n* 'Meta' expected a map, got 'float64'\n* 'UpstreamConfig' expected a map, got 'string'",
    );
  });

  it('prints floats as fmt %v does', () => {
    expect([1e6, 123456, 1234567.5, 0.0001, 0.00001, -2.5e-7, 1e21].map(goValueText)).toEqual(['1e+06', '123456', '1.2345675e+06', '0.0001', '1e-05', '-2.5e-07', '1e+21']);
    expect(goValueText([true, null, { z: { y: 'q' } }])).toBe('[true <nil> map[z:map[y:q]]]');
  });
});
