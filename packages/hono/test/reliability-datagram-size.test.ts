import { datagramSizeSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { honoFactory } from './support/conformance-factory'

datagramSizeSuite({ test, factory: honoFactory })
