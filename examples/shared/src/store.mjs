/**
 * A stand-in for the service's database, payment provider and report engine, with realistic
 * latencies, so the execution timers have something to measure. Nothing here knows about
 * metrics.
 */

const products = Array.from({ length: 50 }, (_, index) => ({
  id: index + 1,
  name: `Product ${index + 1}`,
  priceCents: 499 + index * 100,
}))
let nextOrderId = 1

export class PaymentProviderError extends Error {
  name = 'PaymentProviderError'
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function between(min, max) {
  return min + Math.random() * (max - min)
}

export async function listProducts() {
  await sleep(between(2, 6))
  return products.slice(0, 20)
}

export async function findProduct(id) {
  await sleep(between(1, 4))
  return products.find((product) => product.id === id)
}

export async function insertOrder(order) {
  await sleep(between(3, 8))
  return { id: nextOrderId++, status: 'placed', ...order }
}

/** Every fifth cart hits the payment provider's outage: a server error for the caller. */
export async function chargeCart(cartId) {
  await sleep(between(8, 25))
  if (cartId % 5 === 0) throw new PaymentProviderError(`payment provider refused cart ${cartId}`)
  return { cartId, paid: true }
}

/** The slow endpoint's work: 200–700 ms. */
export async function renderSalesReport() {
  await sleep(between(200, 700))
  return { period: 'last-30-days', orders: nextOrderId - 1, revenueCents: (nextOrderId - 1) * 2599 }
}
