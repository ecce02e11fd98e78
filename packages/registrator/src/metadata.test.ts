import { describe, expect, it } from 'vitest';
import { combineTags, serviceMetadata, splitTags } from './metadata.js';

describe('serviceMetadata', () => {
  it('lower-cases keys and lets the port-specific key win for its port only', () => {
    const env = ['SERVICE_NAME=web', 'SERVICE_80_NAME=www', 'SERVICE_443_NAME=secure', 'SERVICE_REGION=eu', 'PATH=/bin', 'SERVICE_X'];
    const m80 = serviceMetadata(env, {}, '80');
    expect(m80.values).toEqual({ name: 'www', region: 'eu' });
    expect(m80.fromPort.has('name')).toBe(true);
    const m8080 = serviceMetadata(env, {}, '8080');
    expect(m8080.values).toEqual({ name: 'web', region: 'eu' });
    expect(m8080.fromPort.size).toBe(0);
  });

  it('keeps the port-specific value even when the general key comes later', () => {
    expect(serviceMetadata(['SERVICE_80_TAGS=a', 'SERVICE_TAGS=b'], {}, '80').values.tags).toBe('a');
  });

  it('reads labels and lets them override environment variables', () => {
    expect(serviceMetadata(['SERVICE_NAME=env'], { SERVICE_NAME: 'label', 'com.example': 'x' }, '80').values).toEqual({ name: 'label' });
  });
});

describe('tags', () => {
  it('splits a comma list with \\, escapes', () => {
    expect(splitTags('a, b\\,c ,,d')).toEqual(['a', 'b,c', 'd']);
  });
  it('combines and de-duplicates', () => {
    expect(combineTags('a,b', ['b', 'c'], ['udp'])).toEqual(['a', 'b', 'c', 'udp']);
  });
});
