// Network coordinates: Vivaldi with height, an adjustment window, a latency filter and gravity,
// as hashicorp/serf's coordinate package computes them (its DefaultConfig below). Each probe's
// round trip moves our coordinate so that distances between coordinates estimate round-trip
// times. Units are seconds, as in serf and in Consul's JSON (`Vec`, `Adjustment`, `Height`).
// Pure: the random direction for two coincident coordinates comes from the injected Rng.
import type { Rng } from './rng.js';

export interface Coordinate {
  /** The Euclidean part (seconds). */
  readonly Vec: readonly number[];
  /** Confidence in the coordinate, dimensionless (starts at vivaldiErrorMax). */
  readonly Error: number;
  /** Offset learned from the last adjustmentWindowSize observations (seconds). */
  readonly Adjustment: number;
  /** Non-Euclidean access-link part (seconds), at least heightMin. */
  readonly Height: number;
}

export interface CoordinateConfig {
  dimensionality: number;
  vivaldiErrorMax: number;
  /** Vivaldi's c_e: how fast the error estimate moves. */
  vivaldiCE: number;
  /** Vivaldi's c_c: how far one observation moves the coordinate. */
  vivaldiCC: number;
  /** Observations the adjustment term averages over (0 disables it). */
  adjustmentWindowSize: number;
  heightMin: number;
  /** RTT samples per peer whose median is used (a moving median filter). */
  latencyFilterSize: number;
  /** Gravity's rho: how weakly coordinates are pulled back toward the origin. */
  gravityRho: number;
}

/** serf's coordinate.DefaultConfig(). */
export function defaultCoordinateConfig(): CoordinateConfig {
  return {
    dimensionality: 8,
    vivaldiErrorMax: 1.5,
    vivaldiCE: 0.25,
    vivaldiCC: 0.25,
    adjustmentWindowSize: 20,
    heightMin: 10.0e-6,
    latencyFilterSize: 3,
    gravityRho: 150.0,
  };
}

/** Two coordinates closer than this are treated as coincident (serf's zeroThreshold). */
const ZERO_THRESHOLD = 1.0e-6;
/** Observations outside [0, 10 s] are refused (serf's maxRTT). */
export const RTT_MAX_MS = 10_000;

export function newCoordinate(c: CoordinateConfig): Coordinate {
  return { Vec: new Array<number>(c.dimensionality).fill(0), Error: c.vivaldiErrorMax, Adjustment: 0, Height: c.heightMin };
}

/** False when any component is NaN or infinite. */
export function isValidCoordinate(c: Coordinate): boolean {
  return c.Vec.every(Number.isFinite) && Number.isFinite(c.Error) && Number.isFinite(c.Adjustment) && Number.isFinite(c.Height);
}

export function isCompatible(a: Coordinate, b: Coordinate): boolean {
  return a.Vec.length === b.Vec.length;
}

function magnitude(v: readonly number[]): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

/** Vivaldi distance without the adjustment terms (seconds). */
function rawDistance(a: Coordinate, b: Coordinate): number {
  return magnitude(a.Vec.map((x, i) => x - b.Vec[i]!)) + a.Height + b.Height;
}

/**
 * Estimated round trip between two coordinates, in seconds: the raw distance plus both
 * adjustments, unless that would not be positive (serf's Coordinate.DistanceTo).
 */
export function distanceSeconds(a: Coordinate, b: Coordinate): number {
  if (!isCompatible(a, b)) throw new Error('coordinate dimensionality does not match');
  const dist = rawDistance(a, b);
  const adjusted = dist + a.Adjustment + b.Adjustment;
  return adjusted > 0 ? adjusted : dist;
}

/** Unit vector pointing at `from` away from `to`, and their distance (a random direction when they coincide). */
function unitVectorAt(rng: Rng, from: readonly number[], to: readonly number[]): { unit: number[]; mag: number } {
  const d = from.map((x, i) => x - to[i]!);
  const mag = magnitude(d);
  if (mag > ZERO_THRESHOLD) return { unit: d.map((x) => x / mag), mag };
  const r = d.map(() => rng() - 0.5);
  const rm = magnitude(r);
  if (rm > ZERO_THRESHOLD) return { unit: r.map((x) => x / rm), mag: 0 };
  return { unit: d.map((_, i) => (i === 0 ? 1 : 0)), mag: 0 };
}

/** Moves `c` by `force` along the line from `other` (positive: away), growing or shrinking its height. */
function applyForce(cfg: CoordinateConfig, rng: Rng, c: Coordinate, force: number, other: Coordinate): Coordinate {
  const { unit, mag } = unitVectorAt(rng, c.Vec, other.Vec);
  let height = c.Height;
  if (mag > ZERO_THRESHOLD) height = Math.max(((c.Height + other.Height) * force) / mag + c.Height, cfg.heightMin);
  return { ...c, Vec: c.Vec.map((x, i) => x + unit[i]! * force), Height: height };
}

/**
 * One node's view: its own coordinate, updated from each observed round trip to a peer whose
 * coordinate came with the ack (serf's coordinate.Client).
 */
export class CoordinateClient {
  private coord: Coordinate;
  private readonly origin: Coordinate;
  private readonly adjustmentSamples: number[];
  private adjustmentIndex = 0;
  private readonly latencySamples = new Map<string, number[]>();
  /** Times the coordinate became invalid and was reset to the origin. */
  resets = 0;

  constructor(
    private readonly cfg: CoordinateConfig,
    private readonly rng: Rng,
  ) {
    if (!(cfg.dimensionality > 0)) throw new Error('dimensionality must be >0');
    this.coord = newCoordinate(cfg);
    this.origin = newCoordinate(cfg);
    this.adjustmentSamples = new Array<number>(cfg.adjustmentWindowSize).fill(0);
  }

  get coordinate(): Coordinate {
    return this.coord;
  }

  /** Drops what we keep about a peer (it was reaped). */
  forget(name: string): void {
    this.latencySamples.delete(name);
  }

  /**
   * Observes a round trip of `rttMs` to `name`, whose coordinate is `other`. Returns the new
   * coordinate, or an error text when the observation is refused (bad coordinate or RTT).
   */
  update(name: string, other: Coordinate, rttMs: number): Coordinate | string {
    if (!isCompatible(this.coord, other)) return 'dimensions aren\'t compatible';
    if (!isValidCoordinate(other)) return 'coordinate is invalid';
    if (!(rttMs >= 0 && rttMs <= RTT_MAX_MS)) return `round trip time not in valid range: ${rttMs} ms`;
    const rtt = this.latencyFilter(name, rttMs / 1000);
    this.updateVivaldi(other, rtt);
    this.updateAdjustment(other, rtt);
    this.updateGravity();
    if (!isValidCoordinate(this.coord)) {
      this.resets++;
      this.coord = newCoordinate(this.cfg);
    }
    return this.coord;
  }

  /** Median of the last latencyFilterSize samples to this peer (seconds). */
  private latencyFilter(name: string, rtt: number): number {
    const samples = this.latencySamples.get(name) ?? [];
    samples.push(rtt);
    if (samples.length > this.cfg.latencyFilterSize) samples.shift();
    this.latencySamples.set(name, samples);
    const sorted = [...samples].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  }

  private updateVivaldi(other: Coordinate, rttIn: number): void {
    const c = this.cfg;
    const rtt = Math.max(rttIn, ZERO_THRESHOLD);
    const dist = distanceSeconds(this.coord, other);
    const wrongness = Math.abs(dist - rtt) / rtt;
    const totalError = Math.max(this.coord.Error + other.Error, ZERO_THRESHOLD);
    const weight = this.coord.Error / totalError;
    const error = Math.min(c.vivaldiCE * weight * wrongness + this.coord.Error * (1 - c.vivaldiCE * weight), c.vivaldiErrorMax);
    // Too far apart (rtt > dist) pushes us away from the peer; too close pulls us toward it.
    const force = c.vivaldiCC * weight * (rtt - dist);
    this.coord = applyForce(c, this.rng, { ...this.coord, Error: error }, force, other);
  }

  private updateAdjustment(other: Coordinate, rtt: number): void {
    const size = this.cfg.adjustmentWindowSize;
    if (size === 0) return;
    // The raw distance: the existing adjustments do not feed back into the new one.
    this.adjustmentSamples[this.adjustmentIndex] = rtt - rawDistance(this.coord, other);
    this.adjustmentIndex = (this.adjustmentIndex + 1) % size;
    let sum = 0;
    for (const s of this.adjustmentSamples) sum += s;
    this.coord = { ...this.coord, Adjustment: sum / (2 * size) };
  }

  /** A weak pull toward the origin, so the whole system does not drift away. */
  private updateGravity(): void {
    const dist = distanceSeconds(this.origin, this.coord);
    const force = -1 * Math.pow(dist / this.cfg.gravityRho, 2);
    this.coord = applyForce(this.cfg, this.rng, this.coord, force, this.origin);
  }
}
