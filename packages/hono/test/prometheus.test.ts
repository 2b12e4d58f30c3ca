import { prometheusSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { honoFactory } from './support/conformance-factory'

prometheusSuite({ test, factory: honoFactory })
