import { createMeter } from '@routemeter/core'
import type { FastifyRequest } from 'fastify'
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { RouteBindings } from '../src/route-bindings'

const meter = createMeter({ enabled: false })
const quiet = { warn: () => {} }

/** A request as Fastify's public API shows it, with the route context under `contextKey`. */
function requestLike(config: object, context?: { key: symbol; config: object }): FastifyRequest {
  const request: Record<string | symbol, unknown> = { routeOptions: { config }, is404: false }
  if (context !== undefined) request[context.key] = { config: context.config }
  return request as unknown as FastifyRequest
}

describe('RouteBindings: finding the route of a request', () => {
  it("on a real Fastify request: the route context's config, the same route as routeOptions gives", async () => {
    const app = Fastify()
    const bindings = new RouteBindings(meter, quiet)
    const seen: string[] = []
    app.addHook('onRequest', async (request) => {
      seen.push(bindings.routeOf(request)?.route ?? 'none')
    })
    app.get('/users/:id', async () => 'user')
    app.get('/orders', async () => 'orders')
    for (const url of ['/users/1', '/orders', '/users/2', '/nothing']) await app.inject(url)
    await app.close()
    expect(seen).toEqual(['/users/:id', '/orders', '/users/:id', 'unmatched'])
    // The context was found (this Fastify keeps it where expected), so routeOptions' object is
    // no longer built per request; a Fastify that moves it falls back (the tests below).
    expect(typeof (bindings as unknown as { contextKey: unknown }).contextKey).toBe('symbol')
  })

  it('no property keyed `fastify.context`: routeOptions is read, request after request', () => {
    const bindings = new RouteBindings(meter, quiet)
    const users = { url: '/users/:id', method: 'GET' }
    const orders = { url: '/orders', method: 'GET' }
    expect(bindings.routeOf(requestLike(users))?.route).toBe('/users/:id')
    expect(bindings.routeOf(requestLike(orders))?.route).toBe('/orders')
  })

  it('a `fastify.context` property that is not the route context (its config differs): not trusted', () => {
    const bindings = new RouteBindings(meter, quiet)
    const key = Symbol('fastify.context')
    const users = { url: '/users/:id', method: 'GET' }
    const other = { url: '/elsewhere', method: 'GET' }
    expect(bindings.routeOf(requestLike(users, { key, config: other }))?.route).toBe('/users/:id')
    expect(bindings.routeOf(requestLike(users, { key, config: other }))?.route).toBe('/users/:id')
  })
})
