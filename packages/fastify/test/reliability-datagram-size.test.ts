import { datagramSizeSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { fastifyFactory } from './conformance-factory'

datagramSizeSuite({ test, factory: fastifyFactory })
