import { afterEach, describe, expect, it } from 'vitest'
import { type MeasuredApp, measuredApp, requestSeries, settle } from './support'

describe('several apps in one process keep separate meters', () => {
  const subjects: MeasuredApp[] = []
  afterEach(async () => {
    for (const subject of subjects.splice(0)) await subject.close()
  })

  it('same routes, own meter, own counts, own lifecycle', async () => {
    const build = () =>
      measuredApp((app) => {
        app.get('/users/:id', async () => 'user')
      })
    const one = await build()
    const two = await build()
    subjects.push(one, two)
    expect(one.app.metrics).not.toBe(two.app.metrics)

    await one.app.inject('/users/1')
    await two.app.inject('/users/1')
    await two.app.inject('/users/2')
    await settle(one.app, one.receiver)
    await settle(two.app, two.receiver)
    expect(requestSeries(one.receiver)).toEqual({ 'GET /users/:id 200': 1 })
    expect(requestSeries(two.receiver)).toEqual({ 'GET /users/:id 200': 2 })

    // Closing one app closes its meter only.
    await one.close()
    subjects.splice(subjects.indexOf(one), 1)
    expect(one.app.metrics.stats().closed).toBe(true)
    expect(two.app.metrics.stats().closed).toBe(false)
    two.receiver.clear()
    await two.app.inject('/users/3')
    await settle(two.app, two.receiver)
    expect(requestSeries(two.receiver)).toEqual({ 'GET /users/:id 200': 1 })
  })

  it('apps built and closed one after another, as test suites do, each count only their own requests', async () => {
    for (let i = 0; i < 20; i++) {
      const subject = await measuredApp((app) => {
        app.get('/', async () => i)
      })
      await subject.app.inject('/')
      await settle(subject.app, subject.receiver)
      expect(requestSeries(subject.receiver)).toEqual({ 'GET / 200': 1 })
      await subject.close()
      expect(subject.app.metrics.stats().closed).toBe(true)
    }
  })
})
