import { statsdAbsentSoakSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { fastifyFactory } from './conformance-factory'

statsdAbsentSoakSuite({ test, factory: fastifyFactory })
