import { stalledPeerSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { honoFactory } from './support/conformance-factory'

stalledPeerSuite({ test, factory: honoFactory })
