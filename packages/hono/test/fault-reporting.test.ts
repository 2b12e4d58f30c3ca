import { faultReportingSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { honoFactory } from './support/conformance-factory'

faultReportingSuite({ test, factory: honoFactory })
