/**
 * Prometheus names from routemeter's dotted names and tag keys. Metric names may hold
 * `[a-zA-Z0-9_:]` and label names `[a-zA-Z0-9_]`, neither starting with a digit; everything
 * else becomes `_`, as the OpenTelemetry Prometheus exporter and statsd_exporter do, so a
 * dashboard reads the same names whichever path the data took.
 */

/** `http.server.duration` → `http_server_duration`. */
export function prometheusMetricName(name: string): string {
  const safe = String(name).replace(/[^a-zA-Z0-9_:]/g, '_')
  return /^[0-9]/.test(safe) ? `_${safe}` : safe === '' ? '_' : safe
}

/**
 * `http.route` → `http_route`. Names starting with `__` are Prometheus' own: such a key gets
 * a leading `x` so it stays a label of ours.
 */
export function prometheusLabelName(key: string): string {
  const safe = String(key).replace(/[^a-zA-Z0-9_]/g, '_')
  if (safe === '' || /^[0-9]/.test(safe)) return `_${safe}`
  return safe.startsWith('__') ? `x${safe}` : safe
}

/** Adds the unit or `_total` suffix the Prometheus naming conventions ask for, once. */
export function withSuffix(name: string, suffix: string): string {
  return name.endsWith(suffix) ? name : `${name}${suffix}`
}
