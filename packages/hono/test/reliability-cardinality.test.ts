import { cardinalitySuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { honoFactory } from './support/conformance-factory'

cardinalitySuite({ test, factory: honoFactory })
