/**
 * Install size budget of each published package, in bytes unpacked (what npm reports as
 * `unpackedSize`). Measured at the change that dropped source maps (issue 21 item 7): core
 * 340 177, express 47 585, fastify 28 429 — the budget leaves ~15 % room to grow; past it, look at
 * what grew before raising it. With maps (sources embedded) they were 966 859, 163 476 and 77 497.
 * The Prometheus output (issue 19: store, exposition, aggregator, forwarder, routemeter-exporter,
 * in both module formats with their declarations) took core to 475 171, and issue 21's DD_*
 * environment and mount-order reporting to 510 225: budget 550 000. The mount-order accessor
 * took Express to 55 399: budget 65 000.
 */
export const INSTALL_BUDGET_BYTES = {
  '@routemeter/core': 550_000,
  '@routemeter/express': 65_000,
  '@routemeter/fastify': 33_000,
}
