import { otelSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { fastifyFactory } from './conformance-factory'

otelSuite({ test, factory: fastifyFactory })
