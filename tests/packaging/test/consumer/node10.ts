// moduleResolution node10 (no exports map): the /adapter and /testing subpaths resolve through
// typesVersions.
import { createMeter } from '@routemeter/core'
import { setUpAdapter } from '@routemeter/core/adapter'
import { createCaptureMeter } from '@routemeter/core/testing'

export const meters = [
  createMeter({ enabled: false }),
  createCaptureMeter().meter,
  setUpAdapter({ enabled: false }).meter,
]
