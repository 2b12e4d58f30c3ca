import { otelSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { honoFactory } from './support/conformance-factory'

otelSuite({ test, factory: honoFactory })
