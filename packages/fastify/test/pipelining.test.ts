import { pipeliningSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { fastifyFactory } from './conformance-factory'

pipeliningSuite({ test, factory: fastifyFactory })
