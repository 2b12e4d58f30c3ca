import { abortsSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { honoFactory } from './support/conformance-factory'

abortsSuite({ test, factory: honoFactory })
