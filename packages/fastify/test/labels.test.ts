import { labelsSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { fastifyFactory } from './conformance-factory'

// Request labels (labels, maxLabelValues): the conformance suite.
labelsSuite({ test, factory: fastifyFactory })
