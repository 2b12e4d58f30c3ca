import { statsdAbsentSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { fastifyFactory } from './conformance-factory'

statsdAbsentSuite({ test, factory: fastifyFactory })
