/** The JSON of GET /v1/agent/metrics (go-metrics' inmem sink summary). */

export type MetricLabels = Record<string, string>;

export interface GaugeValue {
  Name: string;
  Value: number;
  Labels: MetricLabels;
}

export interface PointValue {
  Name: string;
  Points: number[];
}

/** Counters and Samples entries. */
export interface SampledValue {
  Name: string;
  Count: number;
  Rate: number;
  Sum: number;
  Min: number;
  Max: number;
  Mean: number;
  Stddev: number;
  Labels: MetricLabels;
}

export interface MetricsSummary {
  /** Go's time.String() of the interval start, e.g. "2024-01-01 00:00:10 +0000 UTC". */
  Timestamp: string;
  Gauges: GaugeValue[];
  Points: PointValue[];
  Counters: SampledValue[];
  Samples: SampledValue[];
}
