// Preloaded into the statsd daemon (`node --require`): statsd 0.9 logs through `util.log`, which
// Node 23 removed, so on Node 24 and 26 it fails at start-up with `util.log is not a function`.
// Defined only where it is missing, in the old format (`7 Dec 13:58:30 - message`); the
// installed package is left as it is. (Core's StatsdDaemon test helper preloads the same.)
'use strict'
const util = require('node:util')
if (typeof util.log !== 'function') {
  util.log = (...args) => {
    const now = new Date()
    const [, month, day] = now.toDateString().split(' ')
    const time = now.toTimeString().slice(0, 8)
    console.log('%d %s %s - %s', Number(day), month, time, util.format(...args))
  }
}
