// Type-checked with strict TypeScript under node16 (as ESM) and bundler resolution: every
// entry point resolves to its declarations and the public types are usable as documented.
import { createMeter, type Meter, RoutemeterOptionError } from '@routemeter/core'
import { type AdapterSetup, setUpAdapter } from '@routemeter/core/adapter'
import { type CaptureMeter, createCaptureMeter } from '@routemeter/core/testing'
import { routemeter as expressMetrics, type RoutemeterMiddleware } from '@routemeter/express'
import routemeter, { type RoutemeterOptions } from '@routemeter/fastify'
import express from 'express'
import Fastify from 'fastify'

const options: RoutemeterOptions = { service: 'shop', environment: 'prod' }
const app = Fastify()
await app.register(routemeter, options)
app.get<{ Params: { id: string } }>('/users/:id', async (request) => {
  const elapsed: number = request.metrics.timer('db.query')()
  return { id: request.params.id, elapsed }
})

const middleware: RoutemeterMiddleware = expressMetrics({ service: 'shop' })
express().use(middleware)

const meter: Meter = createMeter({ enabled: false })
meter.increment('jobs.done', 1, { queue: 'mail' })
const capture: CaptureMeter = createCaptureMeter()
const setup: AdapterSetup = setUpAdapter({ enabled: false })
const error: unknown = new Error('x')
export const isOptionError: boolean = error instanceof RoutemeterOptionError
export const closed: Promise<void> = Promise.all([
  meter.close(),
  capture.meter.close(),
  setup.meter.close(),
]).then(() => {})
