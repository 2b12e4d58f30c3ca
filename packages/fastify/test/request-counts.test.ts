import { requestCountsSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { fastifyFactory } from './conformance-factory'

requestCountsSuite({ test, factory: fastifyFactory })
