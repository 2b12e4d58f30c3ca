/** The demo's rendering, as pure functions: nothing wider than the terminal, 80 columns and up. */
import { describe, expect, it } from 'vitest'
import {
  appTables,
  frameLines,
  liveTable,
  outputWidth,
  screenRows,
  visible,
  wrap,
} from '../src/display.mjs'
import { TimerTotals } from '../src/readback.mjs'

/** A timer whose samples span `low`–`high` ms: the widest latency cells the demo prints. */
function timer(count, low, high) {
  const totals = new TimerTotals()
  totals.count = count
  totals.min = low
  totals.max = high
  totals.bins.set(low, Math.ceil(count / 2))
  totals.bins.set(high, Math.floor(count / 2))
  return totals
}

function route(method, template, requests, statuses) {
  return {
    method,
    route: template,
    requests,
    byStatus: new Map(statuses),
    latency: timer(requests, 0.4, 1250),
  }
}

/** The demo's routes with counts wider than a 15 s run produces (five digits, 100.0 %). */
const SUMMARY = {
  routes: [
    route('GET', '/api/products', 12_345, [['200', 12_345]]),
    route('GET', '/api/products/:id', 54_321, [
      ['200', 50_000],
      ['404', 4_321],
    ]),
    route('POST', '/api/carts/:cartId/checkout', 10_000, [['500', 10_000]]),
    route('GET', '/api/reports/sales', 9_999, [
      ['200', 9_000],
      ['499', 999],
    ]),
    route('GET', '(unmatched)', 777, [['404', 777]]),
  ],
  execution: [
    {
      name: 'payment.charge',
      route: '/api/carts/:cartId/checkout',
      method: 'POST',
      timer: timer(10_000, 3, 2400),
    },
    { name: 'db.query', route: '/api/products/:id', method: 'GET', timer: timer(54_321, 0.2, 99) },
  ],
}
const APPS = [
  { app: { name: 'fastify-shop' }, summary: SUMMARY },
  { app: { name: 'express-shop' }, summary: SUMMARY },
]

const widest = (lines) => Math.max(...lines.map(visible))

describe('demo rendering', () => {
  it.each([80, 100, 132, 200])(
    'at %i columns no line of the live and final tables is wider',
    (width) => {
      expect(widest(liveTable(APPS, width))).toBeLessThanOrEqual(width)
      expect(widest(appTables(SUMMARY, width))).toBeLessThanOrEqual(width)
    },
  )

  it('at 80 columns keeps every route, requests, errors and p50/p99; drops p90, 2xx, max in that order', () => {
    const final = appTables(SUMMARY, 80).join('\n')
    for (const template of ['/api/products/:id', '/api/carts/:cartId/checkout', '(unmatched)']) {
      expect(final).toContain(template)
    }
    const header = appTables(SUMMARY, 80)[0].trim().split(/\s+/)
    expect(header).toEqual(['route', 'method', 'requests', '4xx', '5xx', 'errors', 'p50', 'p99'])
    expect(final).toMatch(/\/api\/carts\/:cartId\/checkout\s+POST\s+10000\s+0\s+10000\s+100\.0%/)
    expect(final).toMatch(/payment\.charge\s+\/api\/carts\/:cartId\/checkout\s+POST\s+10000/)

    const live = liveTable(APPS, 80)
    expect(live[0].trim().split(/\s+/)[0]).toBe('route')
    expect(live.join('\n')).toContain('fastify-shop')
    expect(live.join('\n')).toContain('POST /api/carts/:cartId/checkout')
  })

  it('a wide terminal gets every column', () => {
    const header = appTables(SUMMARY, 200)[0].trim().split(/\s+/)
    expect(header).toEqual([
      'route',
      'method',
      'requests',
      '2xx',
      '4xx',
      '5xx',
      'errors',
      'p50',
      'p90',
      'p99',
      'max',
    ])
    expect(liveTable(APPS, 200)[0]).toContain('p90')
  })

  it('cuts the route column with … only when even the narrowest table does not fit', () => {
    const lines = appTables(SUMMARY, 60)
    expect(widest(lines)).toBeLessThanOrEqual(60)
    expect(lines.join('\n')).toContain('…')
    expect(appTables(SUMMARY, 80).join('\n')).not.toContain('…')
  })

  it('word-wraps prose to the width with a hanging indent, losing no word', () => {
    const text =
      'STATSD_HOST=127.0.0.1 STATSD_PORT=55510 STATSD_PROTOCOL=udp STATSD_NAMING=path ' +
      'STATSD_SERVICE=express-shop STATSD_ENVIRONMENT=demo STATSD_FLUSH_INTERVAL_MS=1000 WORKERS=2'
    const lines = wrap(text, 80, '    ')
    expect(lines.length).toBeGreaterThan(1)
    expect(widest(lines)).toBeLessThanOrEqual(80)
    expect(lines.slice(1).every((line) => line.startsWith('      '))).toBe(true)
    expect(lines.map((line) => line.trim()).join(' ')).toBe(text)
  })

  it('breaks a word longer than a line (a tag-style statsd key) instead of cutting it', () => {
    const key =
      'applications.fastify-shop.demo.http.server.requests;route=-api-products-id;method=GET;status_code=200;status_class=2xx'
    const lines = wrap(`a counter as statsd keeps it: ${key}`, 80, '    ')
    expect(widest(lines)).toBeLessThanOrEqual(80)
    expect(lines.map((line) => line.trim()).join('')).toContain(key)
  })

  it('a live frame fits the screen, and the redraw goes up by the rows the last frame took', () => {
    const frame = frameLines(['x'.repeat(120), ...liveTable(APPS, 80)], 80, 12)
    expect(frame).toHaveLength(11)
    expect(widest(frame)).toBeLessThanOrEqual(80)
    // Printed at 100 columns, then the terminal shrank to 80: a 100-column line takes 2 rows.
    expect(screenRows(['y'.repeat(100), '', 'z'.repeat(80)], 80)).toBe(4)
  })

  it('lays out for the terminal width, or 80 (COLUMNS if set) when stdout is not a terminal', () => {
    expect(outputWidth({ isTTY: true, columns: 132 }, {})).toBe(132)
    expect(outputWidth({ isTTY: false }, {})).toBe(80)
    expect(outputWidth({ isTTY: false }, { COLUMNS: '120' })).toBe(120)
  })
})
