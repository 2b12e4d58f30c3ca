import { injectionSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { honoFactory } from './support/conformance-factory'

injectionSuite({ test, factory: honoFactory })
