import dns from 'node:dns'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMeter } from '../src/index'
import { type StatsdReceiver, startStatsdReceiver } from '../src/testing'

describe('UDP transport', () => {
  let receiver: StatsdReceiver | undefined
  afterEach(() => receiver?.close())

  it('resolves a host name once and sends to it', async () => {
    receiver = await startStatsdReceiver()
    const meter = createMeter({ host: 'localhost', port: receiver.port })
    for (let round = 0; round < 3; round++) {
      meter.increment('dns')
      await meter.flush()
    }
    await receiver.waitFor((r) => r.counter('dns') === 3)
    await meter.close()
  })

  it('datagrams are batched: 1000 requests take a few dozen packets of at most 1432 bytes', async () => {
    receiver = await startStatsdReceiver()
    const meter = createMeter({
      port: receiver.port,
      flushIntervalMs: 3_600_000,
      maxBufferSize: 1432,
    })
    for (let i = 0; i < 1000; i++) meter.route('/users/:id').record('GET', 200, 1 + (i % 50))
    await meter.close()
    await receiver.waitFor((r) => r.timings('http.server.duration').length === 1000)
    expect(receiver.packets.length).toBeLessThanOrEqual(70)
    for (const packet of receiver.packets) expect(packet.length).toBeLessThanOrEqual(1432)
    expect(meter.stats()).toMatchObject({ datagrams: receiver.packets.length, droppedLines: 0 })
  })

  it('to loopback by default: the same 1000 requests in datagrams of up to 8192 bytes, about 6 times fewer', async () => {
    receiver = await startStatsdReceiver()
    const meter = createMeter({ port: receiver.port, flushIntervalMs: 3_600_000 })
    for (let i = 0; i < 1000; i++) meter.route('/users/:id').record('GET', 200, 1 + (i % 50))
    await meter.close()
    await receiver.waitFor((r) => r.timings('http.server.duration').length === 1000)
    expect(receiver.packets.length).toBeLessThanOrEqual(14)
    expect(Math.max(...receiver.packets.map((packet) => packet.length))).toBeGreaterThan(4096)
    for (const packet of receiver.packets) expect(packet.length).toBeLessThanOrEqual(8192)
    expect(meter.stats()).toMatchObject({ datagrams: receiver.packets.length, droppedLines: 0 })
  })

  it('an unresolvable host: nothing throws, drops and the fault are counted, one log line', async () => {
    const warnings: string[] = []
    const meter = createMeter({
      host: 'statsd.invalid',
      port: 8125,
      logger: { warn: (m) => warnings.push(m) },
    })
    for (let i = 0; i < 5; i++) {
      meter.route('/').record('GET', 200, 1)
      await meter.flush()
    }
    await meter.close()
    const stats = meter.stats()
    expect(stats.droppedLines).toBe(stats.lines)
    expect(stats.lines).toBeGreaterThan(0)
    expect(stats.faults.dns).toBeGreaterThanOrEqual(5)
    expect(warnings.filter((w) => w.includes('dns fault'))).toHaveLength(1)
  })

  it('a host name: a first flush sent before the lookup answers arrives whole (2 000 lines)', async () => {
    receiver = await startStatsdReceiver()
    const meter = createMeter({ host: 'localhost', port: receiver.port })
    // Recorded and flushed in the same turn as createMeter: the start-up lookup is still pending.
    for (let i = 0; i < 2000; i++) meter.route('/first/:id').record('GET', 200, i)
    const flushed = meter.flush()
    expect(meter.stats().datagrams).toBe(0)
    await flushed
    await receiver.waitFor((r) => r.timings('http.server.duration').length === 2000)
    expect(meter.stats()).toMatchObject({ lines: 2001, droppedLines: 0 })
    expect(meter.stats().faults.dns).toBeUndefined()
    await meter.close()
  })

  it('a host name with IPv6 addresses only: datagrams go out over an IPv6 socket', async () => {
    receiver = await startStatsdReceiver({ host: '::1' })
    // No IPv6-only name exists on this machine: this one name's answer is the only stand-in.
    const realLookup = dns.lookup
    const spy = vi.spyOn(dns, 'lookup').mockImplementation(((
      hostname: string,
      options: dns.LookupOptions,
      callback: (...args: unknown[]) => void,
    ) => {
      if (hostname !== 'statsd-v6only.test') return realLookup(hostname, options, callback)
      const answers = [{ address: '::1', family: 6 }]
      if (options.all) process.nextTick(callback, null, answers)
      else process.nextTick(callback, null, '::1', 6)
    }) as typeof dns.lookup)
    try {
      const meter = createMeter({ host: 'statsd-v6only.test', port: receiver.port })
      meter.increment('over.v6', 3)
      await meter.flush()
      await receiver.waitFor((r) => r.counter('over.v6') === 3)
      meter.increment('over.v6', 4)
      await meter.close()
      await receiver.waitFor((r) => r.counter('over.v6') === 7)
      expect(meter.stats()).toMatchObject({ droppedLines: 0 })
    } finally {
      spy.mockRestore()
    }
  })
})
