import { cardinalitySuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { fastifyFactory } from './conformance-factory'

cardinalitySuite({ test, factory: fastifyFactory })
