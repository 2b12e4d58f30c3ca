import { describe, expect, it } from 'vitest'
import { roundRecord } from '../src/paired.mjs'

function windowOf(fields) {
  return {
    served: 1000,
    totalServed: 5000,
    cpuUs: 20_000,
    systemUs: 5000,
    wallMs: 800,
    clientErrors: 0,
    non2xx: 0,
    clientRequests: 1000,
    packets: 10,
    bytes: 5000,
    lines: 30,
    badLines: 0,
    counterSum: 1000,
    samples: 1000,
    maxDatagram: 1400,
    rss: 70e6,
    heapUsed: 20e6,
    linesSent: 30,
    datagramsSent: 10,
    droppedLines: 0,
    sendErrors: 0,
    check: null,
    foreignShare: 0.01,
    attempts: 1,
    disturbed: false,
    ...fields,
  }
}

describe('roundRecord', () => {
  it("merges a server's two windows of a round: sums, per-request figures over both", () => {
    const first = windowOf({ served: 1000, cpuUs: 20_000, systemUs: 4000, wallMs: 800 })
    const second = windowOf({ served: 3000, cpuUs: 36_000, systemUs: 6000, wallMs: 1200 })
    const rec = roundRecord(7, [first, second])
    expect(rec.round).toBe(7)
    expect(rec.windowCount).toBe(2)
    expect(rec.served).toBe(4000)
    expect(rec.cpuUs).toBe(56_000)
    // Over all requests of the round, not the mean of the two windows' figures (20 and 12).
    expect(rec.cpuPerReq).toBe(14)
    expect(rec.sysPerReq).toBe(2.5)
    expect(rec.rps).toBe(2000)
    expect(rec.packets).toBe(20)
    expect(rec.counterSum).toBe(2000)
  })

  it('keeps the worst of the windows and the state after the last', () => {
    const first = windowOf({ maxDatagram: 8192, foreignShare: 0.3, disturbed: true, attempts: 3 })
    const second = windowOf({ totalServed: 9000, rss: 80e6, check: { recorded: 9000 } })
    const rec = roundRecord(0, [first, second])
    expect(rec.maxDatagram).toBe(8192)
    expect(rec.foreignShare).toBe(0.3)
    expect(rec.disturbed).toBe(true)
    expect(rec.attempts).toBe(3)
    expect(rec.totalServed).toBe(9000)
    expect(rec.rss).toBe(80e6)
    expect(rec.check).toEqual({ recorded: 9000 })
  })

  it('keeps each window against its partner, for the fit over every window of the run', () => {
    const first = windowOf({ partner: 'fastify-bare', logVsPartner: 0.1 })
    const second = windowOf({ partner: 'fastify-hooks', logVsPartner: -0.05 })
    expect(roundRecord(0, [first, second]).windows).toEqual([
      { partner: 'fastify-bare', log: 0.1 },
      { partner: 'fastify-hooks', log: -0.05 },
    ])
  })

  it('leaves a sum undefined when a window could not count it (no meter stats)', () => {
    const rec = roundRecord(0, [windowOf({ linesSent: undefined }), windowOf({})])
    expect(rec.linesSent).toBeUndefined()
    expect(rec.lines).toBe(60)
  })
})
