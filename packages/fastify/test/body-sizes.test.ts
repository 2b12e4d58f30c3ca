import { bodySizesSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { fastifyFactory } from './conformance-factory'

// Request and response body sizes (bodySizes): the conformance suite.
bodySizesSuite({ test, factory: fastifyFactory })
