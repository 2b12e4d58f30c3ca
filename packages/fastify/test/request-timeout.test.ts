import { requestTimeoutSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { fastifyFactory } from './conformance-factory'

requestTimeoutSuite({ test, factory: fastifyFactory })
