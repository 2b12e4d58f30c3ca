import { requestTimeoutSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { EXPRESS_FACTORIES } from './support/conformance-factory'

for (const factory of EXPRESS_FACTORIES) requestTimeoutSuite({ test, factory })
