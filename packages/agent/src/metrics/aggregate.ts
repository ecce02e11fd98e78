/** go-metrics' AggregateSample: count, sum, sum of squares, min, max; mean and stddev from them. */
export class AggregateSample {
  count = 0;
  sum = 0;
  sumSq = 0;
  min = 0;
  max = 0;

  ingest(value: number): void {
    this.count += 1;
    this.sum += value;
    this.sumSq += value * value;
    if (this.count === 1 || value < this.min) this.min = value;
    if (this.count === 1 || value > this.max) this.max = value;
  }

  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /** Sample standard deviation, as go-metrics computes it. */
  stddev(): number {
    const div = this.count * (this.count - 1);
    if (div === 0) return 0;
    const num = this.count * this.sumSq - this.sum * this.sum;
    return Math.sqrt(Math.max(num, 0) / div);
  }
}
