import { statsdAbsentSoakSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { honoFactory } from './support/conformance-factory'

statsdAbsentSoakSuite({ test, factory: honoFactory })
