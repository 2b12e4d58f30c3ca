import { requestCountsSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { honoFactory } from './support/conformance-factory'

requestCountsSuite({ test, factory: honoFactory })
