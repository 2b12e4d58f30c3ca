import { prometheusSuite } from '@routemeter/conformance'
import express418 from 'express4-18'
import * as test from 'vitest'
import { EXPRESS_FACTORIES, expressFactory } from './support/conformance-factory'

// Express 5 and 4, as every conformance suite runs, and the lowest supported 4.x (4.18), whose
// requests reach the same Node response the attributes are read from.
for (const factory of [...EXPRESS_FACTORIES, expressFactory('Express 4.18', express418)])
  prometheusSuite({ test, factory })
