import { describe, expect, it } from 'vitest';
import { CoordinateClient, defaultCoordinateConfig, distanceSeconds, isValidCoordinate, newCoordinate, type Coordinate } from './coordinate.js';
import { seededRng } from './rng.js';

const cfg3 = () => ({ ...defaultCoordinateConfig(), dimensionality: 3 });
const at = (z: number, base = newCoordinate(cfg3())): Coordinate => ({ ...base, Vec: [0, 0, z] });

describe('Vivaldi coordinate client (serf coordinate package)', () => {
  it('starts at the origin with serf defaults: 8 dimensions, error 1.5, height 10 µs', () => {
    const c = new CoordinateClient(defaultCoordinateConfig(), seededRng(1)).coordinate;
    expect(c).toEqual({ Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 10e-6 });
    expect(() => new CoordinateClient({ ...defaultCoordinateConfig(), dimensionality: 0 }, seededRng(1))).toThrow(/dimensionality/);
  });

  it('an RTT longer than the estimate pushes us away from the peer; a shorter one pulls us toward it', () => {
    const far = new CoordinateClient(cfg3(), seededRng(1));
    const other = at(0.001);
    const c = far.update('node', other, 2 * 0.001 * 1000) as Coordinate;
    expect(c.Vec[2]).toBeLessThan(0); // scooted down, away from a node right above
    const near = new CoordinateClient(cfg3(), seededRng(1));
    const d0 = distanceSeconds(near.coordinate, at(0.5));
    near.update('node', at(0.5), 1); // 1 ms, far less than the 0.5 s estimate
    expect(distanceSeconds(near.coordinate, at(0.5))).toBeLessThan(d0);
  });

  it('distance is the Euclidean part plus both heights (serf DistanceTo with HeightMin 0)', () => {
    const cfg = { ...cfg3(), heightMin: 0 };
    const a = newCoordinate(cfg);
    expect(distanceSeconds(a, { ...a, Vec: [0, 0, 12.345] })).toBeCloseTo(12.345, 9);
    expect(distanceSeconds({ ...a, Height: 0.002 }, { ...a, Vec: [0.003, 0.004, 0], Height: 0.001 })).toBeCloseTo(0.008, 9);
  });

  it('refuses RTTs outside [0, 10 s], other dimensions and invalid coordinates, leaving the estimate unchanged', () => {
    const c = new CoordinateClient(cfg3(), seededRng(1));
    const before = c.coordinate;
    for (const rtt of [-35, 11_000, Number.NaN]) expect(typeof c.update('n', at(0.001), rtt)).toBe('string');
    expect(c.update('n', { ...at(0.001), Vec: [0, 0] }, 1)).toMatch(/compatible/);
    expect(c.update('n', { ...at(0.001), Height: Number.POSITIVE_INFINITY }, 1)).toMatch(/invalid/);
    expect(c.coordinate).toBe(before);
  });

  it('the latency filter feeds the median of the last 3 samples: one glitch is never seen', () => {
    const a = new CoordinateClient(cfg3(), seededRng(3));
    const b = new CoordinateClient(cfg3(), seededRng(3));
    const other = at(0.01);
    for (const rtt of [20, 20, 20]) { a.update('x', other, rtt); b.update('x', other, rtt); }
    a.update('x', other, 20);
    b.update('x', other, 5000); // median of [20, 20, 5000] is 20
    expect(b.coordinate).toEqual(a.coordinate);
    expect(isValidCoordinate(b.coordinate)).toBe(true);
  });

  it('the adjustment is the mean of (rtt - raw distance) over the window, halved', () => {
    const cfg = { ...cfg3(), adjustmentWindowSize: 4 };
    const c = new CoordinateClient(cfg, seededRng(5));
    c.update('x', at(0.01), 10);
    expect(Math.abs(c.coordinate.Adjustment)).toBeGreaterThan(0);
    expect(Math.abs(c.coordinate.Adjustment)).toBeLessThan(0.01);
  });
});
