// The part of autocannon's programmatic API this bench uses.
declare module 'autocannon' {
  interface Options {
    url: string
    method?: string
    body?: string
    headers?: Record<string, string>
    connections?: number
    duration?: number
    pipelining?: number
    /** Return the run's raw (encoded) histograms instead of its summary, to merge runs with `aggregateResult`. */
    skipAggregateResult?: boolean
  }
  interface Histogram {
    average: number
    mean: number
    p50: number
    p90: number
    p99: number
    max: number
  }
  interface Result {
    requests: Histogram
    latency: Histogram
    errors: number
    timeouts: number
    non2xx: number
  }
  /** One run's raw result (`skipAggregateResult: true`). */
  export interface RawResult {
    totalCompletedRequests: number
    errors: number
    non2xx: number
    /** Seconds. */
    duration: number
  }
  function autocannon(options: Options & { skipAggregateResult: true }): Promise<RawResult>
  function autocannon(options: Options): Promise<Result>
  namespace autocannon {
    /** Merges raw results, latency histograms included (exact percentiles over all of them). */
    function aggregateResult(results: RawResult[], options?: { url?: string; connections?: number }): Result
  }
  export default autocannon
}
