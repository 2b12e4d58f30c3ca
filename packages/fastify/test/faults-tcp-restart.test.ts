import { tcpRestartSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { fastifyFactory } from './conformance-factory'

tcpRestartSuite({ test, factory: fastifyFactory })
