import { excludeSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { honoFactory } from './support/conformance-factory'

excludeSuite({ test, factory: honoFactory })
