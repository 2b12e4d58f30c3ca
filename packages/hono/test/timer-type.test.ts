import { timerTypeSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { honoFactory } from './support/conformance-factory'

timerTypeSuite({ test, factory: honoFactory })
