// The same packages from CommonJS under node16: require() resolves to the .d.cts declarations.
import core = require('@routemeter/core')
import adapter = require('@routemeter/core/adapter')
import testing = require('@routemeter/core/testing')
import expressAdapter = require('@routemeter/express')
import fastifyAdapter = require('@routemeter/fastify')

const meter: core.Meter = core.createMeter({ enabled: false })
const capture: testing.CaptureMeter = testing.createCaptureMeter()
export const middleware: expressAdapter.RoutemeterMiddleware = expressAdapter.routemeter({})
export const plugin: typeof fastifyAdapter.routemeter = fastifyAdapter.default
const setup: adapter.AdapterSetup = adapter.setUpAdapter({ enabled: false })
export const closed: Promise<unknown> = Promise.all([
  meter.close(),
  capture.meter.close(),
  setup.meter.close(),
])
