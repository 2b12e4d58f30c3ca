// moduleResolution node10 (no exports map): the /testing subpath resolves through typesVersions.
import { createMeter } from '@routemeter/core'
import { createCaptureMeter } from '@routemeter/core/testing'

export const meters = [createMeter({ enabled: false }), createCaptureMeter().meter]
