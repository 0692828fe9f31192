/**
 * Calling a backend outside a run — the `endpoints`, `predict`, `tuning` and `attach` commands and
 * their library functions: one call with its failure as a value, every page of a listing, and a wait
 * with backoff and jitter (or the backend's own change signal) that the user's signal ends.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { isNotFound, isServiceError, isTransient, serviceError, type Input, type OperationName, type Output } from '../plan/operations.js'
import type { Backend, CallOptions } from './port.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category errors */
export type CallError =
  | { readonly _tag: 'NotFound'; readonly op: OperationName; readonly message: string }
  | { readonly _tag: 'ServiceError'; readonly op: OperationName; readonly name: string; readonly fault: 'client' | 'server'; readonly message: string }
  | { readonly _tag: 'Interrupted' }

/** What waiting needs besides the backend; tests pass a sleep that never waits. */
export interface WaitOptions {
  readonly signal?: AbortSignal
  /** @default a timer */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  /** @default Math.random */
  readonly random?: () => number
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/** @category destructors */
export const describeCallError = (e: CallError): string => {
  switch (e._tag) {
    case 'NotFound':
      return `${e.op}: not found: ${e.message}`
    case 'ServiceError':
      return `${e.op} failed: ${e.name}: ${e.message}`
    case 'Interrupted':
      return 'interrupted'
  }
}

// -------------------------------------------------------------------------------------
// calls
// -------------------------------------------------------------------------------------

class Aborted extends Error {
  constructor() {
    super('aborted')
  }
}

/** A timer that the signal cancels. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((res, rej) => {
    if (signal?.aborted) return rej(new Aborted())
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      res()
    }, ms)
    const onAbort = () => {
      clearTimeout(t)
      rej(new Aborted())
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })

/** The error a backend threw, as a value: not found, or the service's name and message. */
export const toCallError = (op: OperationName, e: unknown): CallError => {
  if (isNotFound(e)) return { _tag: 'NotFound', op, message: (e as Error).message }
  if (isServiceError(e)) return { _tag: 'ServiceError', op, name: e.name, fault: e.$fault ?? 'client', message: e.message }
  return { _tag: 'ServiceError', op, name: 'Error', fault: 'client', message: e instanceof Error ? e.message : String(e) }
}

// -------------------------------------------------------------------------------------
// retries
// -------------------------------------------------------------------------------------

/**
 * Attempts per call when neither the backend nor the caller says (the AWS SDK's own default).
 *
 * Retries have one owner: this policy. The AWS backend builds its SageMaker clients with
 * `maxAttempts: 1` and hands `--max-attempts` to this policy as `Backend.maxAttempts`, so a throttled
 * call is sent exactly that many times (not the SDK's attempts times ours), every backend retries
 * alike, and the waits between attempts end on the user's signal.
 */
export const DEFAULT_MAX_ATTEMPTS = 3

/** How a failed call is tried again; tests pass a sleep that never waits and a fixed random. */
export interface RetryPolicy {
  /** Attempts in all, the first included: 1 never retries. */
  readonly maxAttempts: number
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  readonly random?: () => number
  /** Ends a wait between attempts (the wait rejects); the call in flight is not cut short. */
  readonly signal?: AbortSignal
}

/** Worth another attempt: throttling, a server fault, a client-side timeout, or what the SDK itself marks `$retryable`. */
export const isRetryable = (e: unknown): boolean =>
  isTransient(e) ||
  (isServiceError(e) && e.name === 'TimeoutError') ||
  (typeof e === 'object' && e !== null && typeof (e as { $retryable?: unknown }).$retryable === 'object' && (e as { $retryable?: unknown }).$retryable !== null)

/** The service's `Retry-After` (seconds, or an HTTP date) in milliseconds, when its answer had one. */
export const retryAfterMs = (e: unknown, now: number = Date.now()): number | undefined => {
  const headers = (e as { $response?: { headers?: Record<string, string | undefined> } } | null)?.$response?.headers
  if (headers === undefined) return undefined
  const v = Object.entries(headers).find(([k]) => k.toLowerCase() === 'retry-after')?.[1]
  if (v === undefined || v.trim() === '') return undefined
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000
  const at = Date.parse(v)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/** The wait before attempt `attempt + 1`: the service's `Retry-After`, else 100 ms doubling (to 20 s) with jitter. */
export const retryDelay = (attempt: number, e: unknown, random: () => number): number =>
  Math.min(20_000, retryAfterMs(e) ?? 100 * 2 ** attempt * (0.5 + random()))

/**
 * Send with the retry policy. A retryable error on the last attempt is rethrown with how many
 * attempts were made, so the run's message says why it gave up and what sets it.
 */
export const sendRetrying = async <K extends OperationName>(backend: Backend, op: K, input: Input<K>, policy: RetryPolicy, options: CallOptions = {}): Promise<Output<K>> => {
  const random = policy.random ?? Math.random
  for (let attempt = 1; ; attempt++) {
    try {
      return await backend.send(op, input, options)
    } catch (e) {
      if (!isRetryable(e) || (options.signal?.aborted ?? false)) throw e
      if (attempt >= policy.maxAttempts) throw gaveUp(e, attempt)
      await (policy.sleep ?? sleep)(retryDelay(attempt - 1, e, random), policy.signal)
    }
  }
}

const gaveUp = (e: unknown, attempts: number): unknown => {
  if (!isServiceError(e)) return e
  const tried = `${attempts} attempt${attempts === 1 ? '' : 's'}, --max-attempts sets how many`
  return Object.assign(serviceError(e.name, `${e.message} (gave up after ${tried})`, e.$fault ?? 'server'), { attempts })
}

/** One call, retried as the backend's policy says; what the backend throws becomes a value (`Interrupted` when the signal cut it short). */
export const call = async <K extends OperationName>(backend: Backend, op: K, input: Input<K>, signal?: AbortSignal): Promise<E.Either<CallError, Output<K>>> => {
  try {
    const policy = { maxAttempts: backend.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, ...(signal === undefined ? {} : { signal }) }
    return E.right(await sendRetrying(backend, op, input, policy, signal === undefined ? {} : { signal }))
  } catch (e) {
    return E.left(signal?.aborted === true ? { _tag: 'Interrupted' } : toCallError(op, e))
  }
}

/** Every page of a listing (`NextToken` in, `NextToken` out), items in the order they came. */
export const allPages = async <K extends OperationName, A>(
  backend: Backend,
  op: K,
  input: Input<K>,
  items: (page: Output<K>) => ReadonlyArray<A> | undefined,
  signal?: AbortSignal,
): Promise<E.Either<CallError, ReadonlyArray<A>>> => {
  const out: A[] = []
  let token: string | undefined
  do {
    const page = await call(backend, op, { ...input, ...(token === undefined ? {} : { NextToken: token }) }, signal)
    if (E.isLeft(page)) return page
    out.push(...(items(page.right) ?? []))
    const next = (page.right as { NextToken?: string }).NextToken
    // A token that does not move would loop for ever.
    token = next === undefined || next === '' || next === token ? undefined : next
  } while (token !== undefined)
  return E.right(out)
}

/** Delays that grow from the backend's `initialMs` by half each time up to its `maxMs`, with jitter. */
export interface Backoff {
  readonly next: () => number
  /** Back to the shortest delay: something moved, so more may move soon. */
  readonly reset: () => void
}

export const backoff = (backend: Backend, random: () => number = Math.random): Backoff => {
  let delay = backend.poll.initialMs
  return {
    next: () => {
      const d = delay * (0.8 + 0.4 * random())
      delay = Math.min(backend.poll.maxMs, delay * 1.5)
      return d
    },
    reset: () => {
      delay = backend.poll.initialMs
    },
  }
}

/**
 * Wait `ms`, or less when the backend can tell that `name` may have changed. Resolves false when the
 * signal ended the wait.
 */
export const pause = async (backend: Backend, name: string, ms: number, options: WaitOptions = {}): Promise<boolean> => {
  const { signal } = options
  try {
    await (backend.changed !== undefined ? backend.changed(name, ms, signal === undefined ? {} : { signal }) : (options.sleep ?? sleep)(ms, signal))
  } catch (e) {
    if (signal?.aborted) return false
    throw e
  }
  return signal?.aborted !== true
}

/**
 * Ask `check` until it answers a value, pausing between asks with backoff (see `pause`). The signal
 * ends the wait with `Interrupted`.
 */
export const waitFor = async <A>(
  backend: Backend,
  name: string,
  check: () => Promise<E.Either<CallError, A | undefined>>,
  options: WaitOptions = {},
): Promise<E.Either<CallError, A>> => {
  const delays = backoff(backend, options.random)
  for (;;) {
    if (options.signal?.aborted) return E.left({ _tag: 'Interrupted' })
    const r = await check()
    if (E.isLeft(r) || r.right !== undefined) return r as E.Either<CallError, A>
    if (!(await pause(backend, name, delays.next(), options))) return E.left({ _tag: 'Interrupted' })
  }
}
