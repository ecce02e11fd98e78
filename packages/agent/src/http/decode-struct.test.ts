import { describe, expect, it } from 'vitest';
import { decodeStruct } from './decode-struct.js';
import { registerRequestSchema } from './schemas.js';

describe('decodeStruct', () => {
  it('matches keys without regard to case and keeps canonical names', () => {
    expect(decodeStruct({ node: 'n', ADDRESS: 'a', service: { service: 'web', port: 80 } }, registerRequestSchema)).toEqual({
      Node: 'n',
      Address: 'a',
      Service: { Service: 'web', Port: 80 },
    });
  });
  it('refuses unknown keys and wrong types with Go wording', () => {
    expect(() => decodeStruct({ Node: 'n', Extra: 1 }, registerRequestSchema)).toThrow('json: unknown field "Extra"');
    expect(() => decodeStruct({ Node: 1 }, registerRequestSchema)).toThrow(
      'json: cannot unmarshal number into Go struct field RegisterRequest.Node of type string',
    );
    expect(() => decodeStruct({ Service: { Port: 1.5 } }, registerRequestSchema)).toThrow(/cannot unmarshal number 1.5/);
    expect(() => decodeStruct([], registerRequestSchema)).toThrow('json: cannot unmarshal array into Go value of type structs.RegisterRequest');
  });
  it('treats null as unset', () => {
    expect(decodeStruct({ Node: 'n', Service: null, Checks: null }, registerRequestSchema)).toEqual({ Node: 'n' });
  });
});
