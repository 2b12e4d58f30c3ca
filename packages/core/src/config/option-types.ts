/** The option types every layer shares; `options.ts` reads and checks the options themselves. */
export type Tags = Readonly<Record<string, string | number>>
export type Protocol = 'udp' | 'tcp' | 'uds'
export type NamingStyle = 'tags' | 'path' | 'otel'
/**
 * How durations (and body sizes) go on the wire: StatsD timers (`ms`), DogStatsD histograms
 * (`h`) or DogStatsD distributions (`d`).
 */
export type TimerType = 'ms' | 'h' | 'd'

/**
 * A request label: reads one value from the framework's request object when the request ends.
 * `undefined` (or `''`) is recorded as `_none`; see {@link MeterOptions.labels}.
 */
export type LabelFunction<Request = unknown> = (request: Request) => string | undefined

/** Request labels by name (the tag key); `Request` is the framework's request object. */
export type RequestLabels<Request = unknown> = Readonly<Record<string, LabelFunction<Request>>>

/** Where runtime faults are reported (once per kind per minute). `pino`/`console` fit. */
export interface MeterLogger {
  warn(message: string): void
}
