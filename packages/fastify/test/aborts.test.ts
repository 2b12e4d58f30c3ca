import { abortsSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { fastifyFactory } from './conformance-factory'

abortsSuite({ test, factory: fastifyFactory })
