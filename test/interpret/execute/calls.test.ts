import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import * as Library from '../../../src/index.js'
import { allPages, backoff, call, waitFor } from '../../../src/interpret/execute/calls.js'
import type { Backend } from '../../../src/interpret/execute/port.js'
import { noSleep, scriptedBackend } from '../../support/scripted-backend.js'

describe('calls outside a run', () => {
  it('a call the signal cut short is Interrupted, not a service error', async () => {
    const controller = new AbortController()
    const backend: Backend = {
      ...scriptedBackend(),
      send: async () => {
        controller.abort()
        throw Object.assign(new Error('Request aborted'), { name: 'AbortError' })
      },
    }
    expect(await call(backend, 'DescribeEndpoint', { EndpointName: 'e' }, controller.signal)).toStrictEqual(E.left({ _tag: 'Interrupted' }))
    expect(await call(backend, 'DescribeEndpoint', { EndpointName: 'e' })).toStrictEqual(E.left({ _tag: 'ServiceError', op: 'DescribeEndpoint', name: 'AbortError', fault: 'client', message: 'Request aborted' }))
  })

  it('paging stops on a token that does not move', async () => {
    let pages = 0
    const backend: Backend = { ...scriptedBackend(), send: (async () => (pages++, { Endpoints: [{ EndpointName: `e${pages}` }], NextToken: 'same' })) as Backend['send'] }
    const all = await allPages(backend, 'ListEndpoints', {}, (p) => p.Endpoints)
    expect(E.isRight(all) && all.right.map((e) => e.EndpointName)).toStrictEqual(['e1', 'e2'])
  })

  it('waits back off from the backend\'s initial poll to its maximum, and use its change signal when it has one', async () => {
    const delays = backoff({ ...scriptedBackend(), poll: { initialMs: 100, maxMs: 300 } }, () => 0.5)
    expect([delays.next(), delays.next(), delays.next(), delays.next()]).toStrictEqual([100, 150, 225, 300])
    delays.reset()
    expect(delays.next()).toBe(100)

    const asked: Array<[string, number]> = []
    let n = 0
    const watched: Backend = { ...scriptedBackend(), poll: { initialMs: 1000, maxMs: 5000 }, changed: async (name, ms) => void asked.push([name, ms]) }
    const r = await waitFor(watched, 'job-1', async () => E.right(++n === 3 ? 'done' : undefined), { random: () => 0.5, sleep: noSleep })
    expect(r).toStrictEqual(E.right('done'))
    expect(asked).toStrictEqual([
      ['job-1', 1000],
      ['job-1', 1500],
    ])
  })

  it('the library exports the predictor, endpoint and tuning functions', () => {
    expect([typeof Library.predictor, typeof Library.Endpoints.deleteEndpoint, typeof Library.TuningAnalytics.tuningAnalytics, typeof Library.tuningPlot, typeof Library.follow]).toStrictEqual(Array(5).fill('function'))
  })
})
