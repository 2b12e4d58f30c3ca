import { shutdownSuite } from '@routemeter/conformance'
import * as test from 'vitest'
import { honoFactory } from './support/conformance-factory'

shutdownSuite({ test, factory: honoFactory })
