import { excludeSuite } from '@routemeter/conformance'
import { RoutemeterOptionError } from '@routemeter/core'
import Fastify from 'fastify'
import * as test from 'vitest'
import { describe, expect, it } from 'vitest'
import routemeter from '../src/index'
import { fastifyFactory } from './conformance-factory'

// The `exclude` option and routes that opt out (`config: { metrics: false }`): the conformance suite.
excludeSuite({ test, factory: fastifyFactory })

describe('excluded paths are not measured', () => {
  it('an exclude list that is not an array of paths or RegExps fails at startup', async () => {
    const app = Fastify()
    const bad = { exclude: ['/ok', 42] } as unknown as { exclude: string[] }
    await expect(app.register(routemeter, { enabled: false, ...bad })).rejects.toThrow(
      RoutemeterOptionError,
    )
    await app.close()
  })
})
