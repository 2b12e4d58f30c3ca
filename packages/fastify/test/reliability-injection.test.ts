import { injectionSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { fastifyFactory } from './conformance-factory'

injectionSuite({ test, factory: fastifyFactory })
