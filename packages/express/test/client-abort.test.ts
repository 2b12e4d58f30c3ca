import http from 'node:http'
import { abortsSuite } from '@routemeter/conformance'
import type { NextFunction, Request, Response } from 'express'
import * as test from 'vitest'
import { afterEach, describe, expect, it } from 'vitest'
import { closeServer, deferred, listen, until } from './support/async'
import { EXPRESS_FACTORIES } from './support/conformance-factory'
import { MATRIX, type MeasuredApp, measuredApp } from './support/harness'

// Aborts while a route works, mid-body and beside completed requests, and connection timeouts:
// the conformance suite. What only Express has stays below: middleware that runs before routing.
for (const factory of EXPRESS_FACTORIES) abortsSuite({ test, factory })

describe.each(MATRIX)(
  '$major, $naming naming: a client that leaves before the response finished is counted once as 499',
  ({ express, naming }) => {
    let measured: MeasuredApp
    let server: http.Server | undefined
    afterEach(async () => {
      if (server !== undefined) await closeServer(server)
      server = undefined
      await measured.close()
    })

    it('before any route matched (in slow middleware): 499 as unmatched', async () => {
      measured = await measuredApp(express, naming)
      const entered = deferred()
      measured.app.use((_req: Request, _res: Response, _next: NextFunction) => {
        entered.resolve() // and never calls next()
      })
      measured.app.get('/never', (_req, res) => {
        res.send('unreachable')
      })
      server = http.createServer(measured.app)
      const port = await listen(server)

      const req = http.get({ host: '127.0.0.1', port, path: '/never', agent: false })
      req.on('error', () => {})
      req.on('response', (res) => res.resume())
      await entered.promise
      req.destroy()
      await until(
        () => measured.metrics.meter.stats().activeRequests === 0,
        'the abort is recorded',
      )
      await measured.flushed(1)

      expect(measured.read.count(null, 'GET', 499)).toBe(1)
    })
  },
)
