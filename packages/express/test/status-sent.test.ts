import http from 'node:http'
import type { NextFunction, Request, Response } from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { closeServer, listen, until } from './support/async'
import { MAJORS, type MeasuredApp, measuredApp } from './support/harness'

/** GET `path` on a connection of its own; resolves with the status the client received. */
function get(port: number, path: string): Promise<{ status: number | undefined; body: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode, body }))
      res.on('error', () => resolve({ status: res.statusCode, body }))
    })
    req.on('error', () => resolve({ status: undefined, body: '' }))
  })
}

describe.each(MAJORS)('$major: the status recorded is the status sent', ({ express }) => {
  let measured: MeasuredApp
  let server: http.Server | undefined
  afterEach(async () => {
    if (server !== undefined) await closeServer(server)
    server = undefined
    await measured.close()
  })

  it('a route answers 200 and calls next(); a catch-all sets 404 too late: 200 is recorded', async () => {
    measured = await measuredApp(express, 'tags')
    const { app } = measured
    app.get('/api/users/:id', (_req: Request, res: Response, next: NextFunction) => {
      res.json({ id: 1 })
      next()
    })
    // The usual last middleware: it does not check res.headersSent before setting a status.
    app.use((_req: Request, res: Response) => {
      res.status(404)
    })
    server = http.createServer(app)
    const port = await listen(server)

    expect(await get(port, '/api/users/1')).toEqual({ status: 200, body: '{"id":1}' })
    await until(() => measured.metrics.meter.stats().activeRequests === 0, 'the request ended')
    await measured.flushed(1)

    expect(measured.read.count('/api/users/:id', 'GET', 200)).toBe(1)
    expect(measured.read.total()).toBe(1)
  })

  it('res.writeHead(201) then a later res.statusCode = 500: 201 is recorded; a custom phrase too', async () => {
    measured = await measuredApp(express, 'tags')
    measured.app.post('/jobs', (_req: Request, res: Response) => {
      res.writeHead(201, { 'content-type': 'text/plain' })
      res.write('accepted')
      res.statusCode = 500
      res.end()
    })
    // A phrase of its own, and a code Node has no phrase for: the head is read, not guessed.
    measured.app.post('/jobs/custom', (_req: Request, res: Response) => {
      res.writeHead(299, 'Queued Elsewhere')
      res.end('queued')
    })
    server = http.createServer(measured.app)
    const port = await listen(server)

    const status = await new Promise<number | undefined>((resolve) => {
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: '/jobs' },
        (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode))
        },
      )
      req.end()
    })
    expect(status).toBe(201)
    const custom = await new Promise<number | undefined>((resolve) => {
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: '/jobs/custom' },
        (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode))
        },
      )
      req.end()
    })
    expect(custom).toBe(299)
    await until(() => measured.metrics.meter.stats().activeRequests === 0, 'the requests ended')
    await measured.flushed(2)

    expect(measured.read.count('/jobs', 'POST', 201)).toBe(1)
    expect(measured.read.count('/jobs/custom', 'POST', 299)).toBe(1)
    expect(measured.read.total()).toBe(2)
  })
})
