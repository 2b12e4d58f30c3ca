/**
 * The value of one sample line of a Prometheus exposition, named with its labels exactly as
 * written (`http_server_requests_total{route="/",method="GET"}`); `undefined` when absent.
 */
export function sampleValue(exposition: string, sample: string): number | undefined {
  const line = exposition.split('\n').find((l) => l.startsWith(`${sample} `))
  return line === undefined ? undefined : Number(line.slice(sample.length + 1))
}
