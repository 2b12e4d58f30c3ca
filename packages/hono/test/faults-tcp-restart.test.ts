import { tcpRestartSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { honoFactory } from './support/conformance-factory'

tcpRestartSuite({ test, factory: honoFactory })
