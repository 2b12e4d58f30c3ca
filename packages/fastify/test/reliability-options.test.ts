import { optionsSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { fastifyFactory } from './conformance-factory'

optionsSuite({ test, factory: fastifyFactory })
