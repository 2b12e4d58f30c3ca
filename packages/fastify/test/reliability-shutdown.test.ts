import { shutdownSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { fastifyFactory } from './conformance-factory'

shutdownSuite({ test, factory: fastifyFactory })
