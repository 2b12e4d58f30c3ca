import { requestTimeoutSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { KOA_FACTORIES } from './support/conformance-factory'

for (const factory of KOA_FACTORIES) requestTimeoutSuite({ test, factory })
