import { requestTimeoutSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { honoFactory } from './support/conformance-factory'

requestTimeoutSuite({ test, factory: honoFactory })
