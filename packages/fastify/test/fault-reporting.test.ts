import { faultReportingSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { fastifyFactory } from './conformance-factory'

faultReportingSuite({ test, factory: fastifyFactory })
