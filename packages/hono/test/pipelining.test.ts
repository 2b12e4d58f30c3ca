import { pipeliningSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { honoFactory } from './support/conformance-factory'

pipeliningSuite({ test, factory: honoFactory })
