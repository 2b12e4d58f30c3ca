import { labelsSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { honoFactory } from './support/conformance-factory'

labelsSuite({ test, factory: honoFactory })
