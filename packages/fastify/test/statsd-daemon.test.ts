import { statsdDaemonSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { fastifyFactory } from './conformance-factory'

statsdDaemonSuite({ test, factory: fastifyFactory })
