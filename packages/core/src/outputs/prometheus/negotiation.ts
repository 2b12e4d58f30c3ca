/**
 * The exposition format a scraper asked for in its `Accept` header: OpenMetrics 1.0 when it
 * prefers `application/openmetrics-text`, else the Prometheus text format 0.0.4, which every
 * scraper reads. Prometheus 2.x sends
 * `application/openmetrics-text;version=1.0.0,…;q=0.75,text/plain;version=0.0.4;q=0.5,*\/*;q=0.1`.
 */
export type ExpositionFormat = 'text' | 'openmetrics'

/** Longer headers are read only this far: a hostile header costs a bounded parse. */
const MAX_ACCEPT_LENGTH = 2048

export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (typeof accept !== 'string' || accept === '') return 'text'
  let openMetrics = 0
  let text = 0
  for (const range of accept.slice(0, MAX_ACCEPT_LENGTH).split(',')) {
    const [type = '', ...params] = range.split(';')
    const mediaType = type.trim().toLowerCase()
    let quality = 1
    let version: string | undefined
    for (const param of params) {
      const [key = '', value = ''] = param.split('=')
      const name = key.trim().toLowerCase()
      if (name === 'q') quality = parseQuality(value)
      else if (name === 'version') version = value.trim()
    }
    if (mediaType === 'application/openmetrics-text') {
      // 0.0.1 and 1.0.0 read the same for what routemeter exposes.
      if (version === undefined || version === '1.0.0' || version === '0.0.1')
        openMetrics = Math.max(openMetrics, quality)
    } else if (mediaType === 'text/plain' || mediaType === 'text/*' || mediaType === '*/*') {
      if (version === undefined || version === '0.0.4') text = Math.max(text, quality)
    }
  }
  return openMetrics > 0 && openMetrics >= text ? 'openmetrics' : 'text'
}

function parseQuality(value: string): number {
  const quality = Number(value.trim())
  return Number.isFinite(quality) && quality >= 0 && quality <= 1 ? quality : 0
}
