import { faultReportingSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { EXPRESS_FACTORIES } from './support/conformance-factory'

for (const factory of EXPRESS_FACTORIES) faultReportingSuite({ test, factory })
