import { stalledPeerSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { fastifyFactory } from './conformance-factory'

stalledPeerSuite({ test, factory: fastifyFactory })
