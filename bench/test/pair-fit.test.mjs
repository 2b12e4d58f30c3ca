import { describe, expect, it } from 'vitest'
import { ringRatios } from '../src/lib/cycle.mjs'
import { fitPairs } from '../src/lib/pair-fit.mjs'
import { median, shuffle } from '../src/lib/stats.mjs'

const window = (a, b, costA, costB) => ({ a, b, log: Math.log(costA / costB) })

/** A seeded generator (mulberry32), so the simulated noise is the same on every run. */
function seeded(seed) {
  let t = seed >>> 0
  return () => {
    t = (t + 0x6d2b79f5) >>> 0
    let x = Math.imul(t ^ (t >>> 15), 1 | t)
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

/** Normal noise from a uniform generator (Box–Muller). */
const gaussian = (random) => () =>
  Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())

describe('fitPairs', () => {
  it('gives each variant its cost over the reference from noiseless windows', () => {
    const got = fitPairs(
      [
        window('ours', 'bare', 22, 20),
        window('peer', 'ours', 30, 22),
        window('twin', 'peer', 20, 30),
        window('bare', 'twin', 20, 20),
      ],
      'bare',
    )
    expect(got.get('bare')).toBe(1)
    expect(got.get('twin')).toBeCloseTo(1, 12)
    expect(got.get('ours')).toBeCloseTo(1.1, 12)
    expect(got.get('peer')).toBeCloseTo(1.5, 12)
  })

  it('reads each window as a over b, whichever order the windows name them in', () => {
    const got = fitPairs([window('bare', 'ours', 20, 22), window('peer', 'bare', 30, 20)], 'bare')
    expect(got.get('ours')).toBeCloseTo(1.1, 12)
    expect(got.get('peer')).toBeCloseTo(1.5, 12)
  })

  it('counts a window far off the others less than a plain least-squares fit would', () => {
    const windows = []
    // Ten clean windows of ours against bare at 1.1, and one read at 2× by a host hiccup.
    for (let k = 0; k < 10; k++) windows.push(window('ours', 'bare', 22, 20))
    windows.push(window('ours', 'bare', 44, 20))
    const got = fitPairs(windows, 'bare').get('ours')
    // Least squares would give exp((10 ln 1.1 + ln 2.2) / 11) = 1.174.
    expect(got).toBeGreaterThan(1.1)
    expect(got).toBeLessThan(1.12)
  })

  it('gives no ratio to variants no window links to the reference', () => {
    const got = fitPairs([window('ours', 'bare', 22, 20), window('peer', 'twin', 30, 20)], 'bare')
    expect([...got.keys()].sort()).toEqual(['bare', 'ours'])
  })

  it('resolves a long ring far better than the median of its per-round ring ratios', () => {
    // Seventeen servers, as Fastify's group; eight rounds of random rings; every window's ratio
    // off by 3 % (log-normal), about what two identical servers show per window on the VM.
    const random = seeded(20)
    const noise = gaussian(random)
    const servers = ['bare', 'twin', ...Array.from({ length: 15 }, (_, i) => `v${i}`)]
    const trueCost = (s) => (s === 'twin' || s === 'bare' ? 20 : 20 + servers.indexOf(s))
    const fitErrors = []
    const ringErrors = []
    for (let run = 0; run < 40; run++) {
      const windows = []
      const perRound = []
      for (let round = 0; round < 8; round++) {
        const ring = shuffle(servers, random)
        const steps = ring.map((server, k) => {
          const next = ring[(k + 1) % ring.length]
          const speed = 0.5 + random() * 1.5
          const from = trueCost(server) * speed
          const to = trueCost(next) * speed * Math.exp(0.03 * noise())
          windows.push(window(server, next, from, to))
          return { from, next: to }
        })
        perRound.push(ringRatios(ring, steps, 'bare').get('twin'))
      }
      fitErrors.push(Math.abs(Math.log(fitPairs(windows, 'bare').get('twin'))))
      ringErrors.push(Math.abs(Math.log(median(perRound))))
    }
    // With the same windows, the fit's typical A/A error is well under the rings' median's.
    expect(median(fitErrors)).toBeLessThan(0.6 * median(ringErrors))
    expect(median(fitErrors)).toBeLessThan(0.015)
  })
})
