/**
 * What splits a request series beyond route × method × status: the connection's scheme and
 * HTTP version (OpenTelemetry naming) and the user's request labels. Interned: one object per
 * distinct combination, whose `id` goes into the series key so the key stays a number.
 */
export interface SeriesVariant {
  readonly id: number
  /** `http` or `https` (`url.scheme`); `undefined` when the naming does not use it. */
  readonly scheme: string | undefined
  /** `1.0`, `1.1`, `2` (`network.protocol.version`); `undefined` when the naming does not use it. */
  readonly protocolVersion: string | undefined
  /** Request labels by name (`labels` option); `undefined` when none are configured. */
  readonly labels: Readonly<Record<string, string>> | undefined
}
