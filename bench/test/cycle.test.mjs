import { describe, expect, it } from 'vitest'
import { ringRatios } from '../src/lib/cycle.mjs'

/** The windows of a ring whose servers cost `costs` (CPU per request), each scaled by `speed[k]`. */
function windows(ring, costs, speed = ring.map(() => 1)) {
  return ring.map((server, k) => ({
    from: costs[server] * speed[k],
    next: costs[ring[(k + 1) % ring.length]] * speed[k],
  }))
}

describe('ringRatios', () => {
  const costs = { bare: 20, twin: 20, ours: 22, peer: 30 }

  it('gives each server its cost over the reference, whatever the host speed of each window', () => {
    const ring = ['ours', 'bare', 'peer', 'twin']
    // A window's two servers share its speed; windows differ by up to 2x, as on the bench's VM.
    const got = ringRatios(ring, windows(ring, costs, [1, 2, 0.5, 1.3]), 'bare')
    expect(got.get('bare')).toBe(1)
    expect(got.get('twin')).toBeCloseTo(1, 12)
    expect(got.get('ours')).toBeCloseTo(1.1, 12)
    expect(got.get('peer')).toBeCloseTo(1.5, 12)
  })

  it('spreads what the ring fails to close by evenly over its steps', () => {
    const ring = ['bare', 'ours', 'peer']
    const steps = windows(ring, costs)
    // The step from ours to peer reads 8 % high: the ring now closes at 1.08, not 1.
    steps[1] = { from: steps[1].from, next: steps[1].next * 1.08 }
    const got = ringRatios(ring, steps, 'bare')
    const third = Math.log(1.08) / 3
    expect(got.get('bare')).toBe(1)
    expect(got.get('ours')).toBeCloseTo(1.1 * Math.exp(-third), 12)
    expect(got.get('peer')).toBeCloseTo(1.5 * Math.exp(third), 12)
  })

  it('walks a ring cut by a failed window as a path, without a correction', () => {
    const ring = ['peer', 'bare', 'ours', 'twin']
    const steps = windows(ring, costs)
    steps[2] = undefined // ours + twin failed
    const got = ringRatios(ring, steps, 'bare')
    expect([...got.keys()].sort()).toEqual(['bare', 'ours', 'peer', 'twin'])
    expect(got.get('twin')).toBeCloseTo(1, 12)
    expect(got.get('ours')).toBeCloseTo(1.1, 12)
    expect(got.get('peer')).toBeCloseTo(1.5, 12)
  })

  it('leaves out servers that no completed window links to the reference', () => {
    const ring = ['bare', 'ours', 'peer', 'twin']
    const steps = windows(ring, costs)
    steps[0] = undefined // bare + ours
    steps[1] = undefined // ours + peer
    const got = ringRatios(ring, steps, 'bare')
    expect(got.has('ours')).toBe(false)
    expect(got.get('peer')).toBeCloseTo(1.5, 12)
    expect(got.get('twin')).toBeCloseTo(1, 12)
  })

  it('handles a ring of two, each pair measured twice', () => {
    const ring = ['bare', 'ours']
    const got = ringRatios(ring, windows(ring, costs, [1, 1.7]), 'bare')
    expect(got.get('ours')).toBeCloseTo(1.1, 12)
  })
})
