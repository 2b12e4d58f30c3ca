import { prometheusSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { fastifyFactory } from './conformance-factory'

prometheusSuite({ test, factory: fastifyFactory })
