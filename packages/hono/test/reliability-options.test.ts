import { optionsSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { honoFactory } from './support/conformance-factory'

optionsSuite({ test, factory: honoFactory })
