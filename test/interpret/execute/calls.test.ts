import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import * as Library from '../../../src/index.js'
import { allPages, backoff, call, isRetryable, retryAfterMs, retryDelay, sendRetrying, waitFor } from '../../../src/interpret/execute/calls.js'
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

  it('Retry-After (seconds or a date) sets the wait; otherwise 100 ms doubling with jitter', () => {
    const withHeader = (v: string) => Object.assign(new Error('slow down'), { name: 'ThrottlingException', $response: { headers: { 'Retry-After': v } } })
    expect(retryAfterMs(withHeader('2'))).toBe(2000)
    expect(retryAfterMs(withHeader(new Date(10_000).toUTCString()), 4_000)).toBe(6000)
    expect(retryAfterMs(withHeader('soon'))).toBeUndefined()
    expect(retryAfterMs(new Error('x'))).toBeUndefined()
    expect(retryDelay(0, withHeader('3'), () => 0.5)).toBe(3000)
    expect(retryDelay(2, new Error('x'), () => 0.5)).toBe(400)
    expect(retryDelay(20, new Error('x'), () => 0.5)).toBe(20_000)
  })

  it("what the SDK marks $retryable is retried, like throttling and server faults; a client error is not", () => {
    expect(isRetryable(Object.assign(new Error('reset'), { name: 'TimeoutError', $retryable: {} }))).toBe(true)
    expect(isRetryable(Object.assign(new Error('rate'), { name: 'ThrottlingException' }))).toBe(true)
    expect(isRetryable(Object.assign(new Error('boom'), { name: 'InternalFailure', $fault: 'server' }))).toBe(true)
    expect(isRetryable(Object.assign(new Error('slow'), { name: 'TimeoutError' }))).toBe(true)
    expect(isRetryable(Object.assign(new Error('bad'), { name: 'ValidationException', $fault: 'client' }))).toBe(false)
  })

  it('sends exactly maxAttempts times, waiting what Retry-After says, and says how many it tried', async () => {
    let sent = 0
    const waits: number[] = []
    const backend: Backend = {
      ...scriptedBackend(),
      send: (async () => {
        sent++
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $response: { headers: { 'retry-after': '1' } } })
      }) as Backend['send'],
    }
    const out = sendRetrying(backend, 'DescribeEndpoint', { EndpointName: 'e' }, { maxAttempts: 3, sleep: async (ms) => void waits.push(ms) })
    await expect(out).rejects.toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded (gave up after 3 attempts, --max-attempts sets how many)' })
    expect(sent).toBe(3)
    expect(waits).toStrictEqual([1000, 1000])
    sent = 0
    expect(await call({ ...backend, maxAttempts: 1 }, 'DescribeEndpoint', { EndpointName: 'e' })).toMatchObject(E.left({ _tag: 'ServiceError', name: 'ThrottlingException' }))
    expect(sent).toBe(1)
  })
})
