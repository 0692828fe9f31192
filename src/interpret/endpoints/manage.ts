/**
 * Endpoints after a run: list them, describe one with its config's variants, delete one with its
 * config (and, asked to, its models). Written against the backend port, so AWS and local endpoints
 * are managed alike; every failure a user can cause comes back as a value.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Output } from '../plan/operations.js'
import { allPages, call, waitFor, type CallError, type WaitOptions } from '../execute/calls.js'
import type { Backend } from '../execute/port.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type EndpointSummary = NonNullable<Output<'ListEndpoints'>['Endpoints']>[number]

export interface EndpointDetails {
  readonly endpoint: Output<'DescribeEndpoint'>
  /** Absent when the endpoint's config is gone (deleted by hand). */
  readonly config?: Output<'DescribeEndpointConfig'>
}

export type Removable = 'endpoint' | 'endpoint config' | 'model'

/** What a delete did, as it did it. @category model */
export type DeleteEvent =
  | { readonly _tag: 'DeleteSent'; readonly what: Removable; readonly name: string }
  | { readonly _tag: 'Deleted'; readonly what: Removable; readonly name: string }
  | { readonly _tag: 'AlreadyGone'; readonly what: Removable; readonly name: string }

export interface DeleteOptions extends WaitOptions {
  /** Also delete the models the endpoint config serves. @default false */
  readonly withModels?: boolean
  readonly onEvent?: (e: DeleteEvent) => void
}

// -------------------------------------------------------------------------------------
// operations
// -------------------------------------------------------------------------------------

/** Every endpoint, newest first (the service's order), through every page. */
export const listEndpoints = (backend: Backend, signal?: AbortSignal): Promise<E.Either<CallError, ReadonlyArray<EndpointSummary>>> =>
  allPages(backend, 'ListEndpoints', { MaxResults: 100 }, (p) => p.Endpoints, signal)

/** The endpoint and the config it serves. */
export const describeEndpoint = async (backend: Backend, name: string, signal?: AbortSignal): Promise<E.Either<CallError, EndpointDetails>> => {
  const endpoint = await call(backend, 'DescribeEndpoint', { EndpointName: name }, signal)
  if (E.isLeft(endpoint)) return endpoint
  const configName = endpoint.right.EndpointConfigName
  if (configName === undefined) return E.right({ endpoint: endpoint.right })
  const config = await call(backend, 'DescribeEndpointConfig', { EndpointConfigName: configName }, signal)
  if (E.isLeft(config)) return config.left._tag === 'NotFound' ? E.right({ endpoint: endpoint.right }) : config
  return E.right({ endpoint: endpoint.right, config: config.right })
}

/** The models a config serves, once each, in variant order (shadow variants last). */
export const modelsOf = (config: Output<'DescribeEndpointConfig'>): ReadonlyArray<string> => [
  ...new Set([...(config.ProductionVariants ?? []), ...(config.ShadowProductionVariants ?? [])].flatMap((v) => (v.ModelName === undefined ? [] : [v.ModelName]))),
]

/**
 * Delete the endpoint and wait until it is gone, then its endpoint config, then (with `withModels`)
 * the config's models. What is already gone is skipped, so a delete that was interrupted can be run
 * again. Resolves with what was removed.
 */
export const deleteEndpoint = async (backend: Backend, name: string, options: DeleteOptions = {}): Promise<E.Either<CallError, ReadonlyArray<DeleteEvent>>> => {
  const done: DeleteEvent[] = []
  const tell = (e: DeleteEvent) => {
    done.push(e)
    options.onEvent?.(e)
  }
  const { signal } = options
  const found = await describeEndpoint(backend, name, signal)
  if (E.isLeft(found)) return found
  const { endpoint, config } = found.right

  if (endpoint.EndpointStatus !== 'Deleting') {
    const sent = await call(backend, 'DeleteEndpoint', { EndpointName: name }, signal)
    if (E.isLeft(sent)) return sent
  }
  tell({ _tag: 'DeleteSent', what: 'endpoint', name })
  const gone = await waitFor(
    backend,
    name,
    async () => {
      const d = await call(backend, 'DescribeEndpoint', { EndpointName: name }, signal)
      if (E.isRight(d)) return E.right(undefined)
      return d.left._tag === 'NotFound' ? E.right(true) : d
    },
    options,
  )
  if (E.isLeft(gone)) return gone
  tell({ _tag: 'Deleted', what: 'endpoint', name })

  const remove = async (what: Removable, thing: string, send: () => Promise<E.Either<CallError, unknown>>): Promise<CallError | undefined> => {
    const r = await send()
    if (E.isRight(r)) return void tell({ _tag: 'Deleted', what, name: thing })
    if (r.left._tag === 'NotFound') return void tell({ _tag: 'AlreadyGone', what, name: thing })
    return r.left
  }
  const configName = endpoint.EndpointConfigName
  if (configName !== undefined) {
    const e = await remove('endpoint config', configName, () => call(backend, 'DeleteEndpointConfig', { EndpointConfigName: configName }, signal))
    if (e !== undefined) return E.left(e)
  }
  if (options.withModels === true && config !== undefined)
    for (const model of modelsOf(config)) {
      const e = await remove('model', model, () => call(backend, 'DeleteModel', { ModelName: model }, signal))
      if (e !== undefined) return E.left(e)
    }
  return E.right(done)
}
