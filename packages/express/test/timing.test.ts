import type { NextFunction, Request, Response } from 'express'
import request from 'supertest'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { MATRIX, type MeasuredApp, measuredApp } from './support/harness'

// Timer values go on the wire with three decimals.
const WIRE_ROUNDING = 0.0005

describe.each(MATRIX)('$major, $naming naming: request duration', ({ express, naming }) => {
  let measured: MeasuredApp
  afterEach(async () => {
    vi.useRealTimers()
    await measured.close()
  })

  it('runs from the middleware to the end of the response: it covers later middleware and the handler', async () => {
    measured = await measuredApp(express, naming)
    const spans: number[] = []
    let enteredAt = 0
    measured.app.use((_req: Request, _res: Response, next: NextFunction) => {
      enteredAt = performance.now()
      setTimeout(next, 15)
    })
    measured.app.get('/slow/:id', async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 10))
      res.send('done')
      spans.push(performance.now() - enteredAt)
    })

    await request(measured.app).get('/slow/1').expect(200)
    await measured.flushed(1)
    await measured.receiver.waitFor(
      () => measured.read.durations('/slow/:id', 'GET', 200).length === 1,
    )

    const [duration] = measured.read.durations('/slow/:id', 'GET', 200)
    expect(duration).toBeGreaterThanOrEqual((spans[0] ?? Number.POSITIVE_INFINITY) - WIRE_ROUNDING)
  })

  it('uses a monotonic clock: the wall clock jumping back an hour mid-request changes nothing', async () => {
    measured = await measuredApp(express, naming)
    vi.useFakeTimers({ toFake: ['Date'] })
    let span = 0
    measured.app.get('/clock', (_req, res) => {
      const start = performance.now()
      vi.setSystemTime(Date.now() - 3_600_000)
      res.send('ok')
      span = performance.now() - start
    })

    await request(measured.app).get('/clock').expect(200)
    await measured.flushed(1)
    await measured.receiver.waitFor(
      () => measured.read.durations('/clock', 'GET', 200).length === 1,
    )

    const [duration = -1] = measured.read.durations('/clock', 'GET', 200)
    expect(duration).toBeGreaterThanOrEqual(span - WIRE_ROUNDING)
    expect(duration).toBeLessThan(3_600_000)
  })
})
