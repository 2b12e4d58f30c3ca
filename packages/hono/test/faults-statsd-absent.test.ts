import { statsdAbsentSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { honoFactory } from './support/conformance-factory'

statsdAbsentSuite({ test, factory: honoFactory })
