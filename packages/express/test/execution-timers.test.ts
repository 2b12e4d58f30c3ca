import { executionTimersSuite } from '@routemeter/conformance'
import type { NextFunction, Request, Response } from 'express'
import request from 'supertest'
import * as test from 'vitest'
import { afterEach, describe, expect, it } from 'vitest'
import { EXPRESS_FACTORIES } from './support/conformance-factory'
import { MATRIX, type MeasuredApp, measuredApp } from './support/harness'

// Timers under the full template and the method in both naming styles, throwing functions,
// not-found handlers: the conformance suite. What only Express has stays below: middleware that
// runs before routing.
for (const factory of EXPRESS_FACTORIES) executionTimersSuite({ test, factory })

describe.each(MATRIX)(
  '$major, $naming naming: req.metrics execution timers',
  ({ express, naming }) => {
    let measured: MeasuredApp
    afterEach(() => measured.close())

    it('are bound to the route as known when called: before routing that is unmatched', async () => {
      measured = await measuredApp(express, naming)
      measured.app.use((req: Request, _res: Response, next: NextFunction) => {
        req.metrics.time('auth', () => next())
      })
      measured.app.post('/orders', (req, res) => {
        req.metrics.timer('validate')()
        res.status(201).end()
      })

      await request(measured.app).post('/orders').expect(201)
      await measured.flushed(1)
      await measured.receiver.waitFor(
        () => measured.read.executionTimings('/orders', 'POST', 'validate').length === 1,
      )

      expect(measured.read.executionTimings(null, 'POST', 'auth')).toHaveLength(1)
      expect(measured.read.executionTimings('/orders', 'POST', 'auth')).toHaveLength(0)
    })
  },
)
