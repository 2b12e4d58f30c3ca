import { bodySizesSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { honoFactory } from './support/conformance-factory'

bodySizesSuite({ test, factory: honoFactory })
