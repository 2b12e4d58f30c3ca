import { timerTypeSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { fastifyFactory } from './conformance-factory'

// Timer type (timerType ms/h/d): the conformance suite.
timerTypeSuite({ test, factory: fastifyFactory })
