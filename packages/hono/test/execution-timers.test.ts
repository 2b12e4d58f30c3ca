import { executionTimersSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { honoFactory } from './support/conformance-factory'

executionTimersSuite({ test, factory: honoFactory })
