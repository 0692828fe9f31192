/**
 * Pure routing decisions of the gateway: which production variant answers a request, and the error
 * values the SageMaker Runtime API answers with (their HTTP status, `x-amzn-ErrorType` and body are
 * what the AWS SDK's `SageMakerRuntimeClient` deserializes into `ValidationError`, `ModelError`, …).
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Either } from 'fp-ts/lib/Either.js'
import type { EndpointRecord, VariantRoute } from './registry.js'
import { mulberry32 } from '../random.js'

// -------------------------------------------------------------------------------------
// errors
// -------------------------------------------------------------------------------------

export type GatewayError =
  | { readonly _tag: 'UnknownEndpoint'; readonly endpoint: string }
  | { readonly _tag: 'UnknownVariant'; readonly endpoint: string; readonly variant: string; readonly known: ReadonlyArray<string> }
  | { readonly _tag: 'NoTraffic'; readonly endpoint: string }
  | { readonly _tag: 'PayloadTooLarge'; readonly limit: number }
  /** A header value with characters HTTP does not allow (CR, LF, controls): it would split the request. */
  | { readonly _tag: 'InvalidHeader'; readonly value: string }
  | { readonly _tag: 'UnknownOperation'; readonly method: string; readonly path: string }
  | {
      readonly _tag: 'ContainerError'
      readonly container: string
      readonly status: number
      readonly message: string
    }
  | { readonly _tag: 'Unreachable'; readonly container: string; readonly port: number; readonly cause: string }
  | { readonly _tag: 'Internal'; readonly message: string }

export interface ErrorResponse {
  readonly status: number
  /** The `x-amzn-ErrorType` the SDK maps to its exception class. */
  readonly type: string
  readonly body: Readonly<Record<string, unknown>>
}

/** What the model answered, trimmed as the runtime trims it into `OriginalMessage`. */
const original = (m: string): string => (m.length > 4096 ? m.slice(0, 4096) : m)

const toResponse: { readonly [K in GatewayError['_tag']]: (e: Extract<GatewayError, { _tag: K }>) => ErrorResponse } = {
  UnknownEndpoint: (e) => ({
    status: 400,
    type: 'ValidationError',
    body: { message: `Endpoint ${e.endpoint} not found on this machine (local endpoints: sagespec endpoints list --target local).` },
  }),
  UnknownVariant: (e) => ({
    status: 400,
    type: 'ValidationError',
    body: { message: `Variant ${e.variant} not found for endpoint ${e.endpoint} (its variants: ${e.known.join(', ')}).` },
  }),
  NoTraffic: (e) => ({
    status: 400,
    type: 'ValidationError',
    body: { message: `Endpoint ${e.endpoint} has no variant with a weight above 0; name one with TargetVariant.` },
  }),
  PayloadTooLarge: (e) => ({
    status: 413,
    type: 'ValidationError',
    body: { message: `Request body is larger than the ${e.limit / (1024 * 1024)} MB InvokeEndpoint allows.` },
  }),
  InvalidHeader: (e) => ({
    status: 400,
    type: 'ValidationError',
    body: { message: `Header value ${JSON.stringify(e.value.slice(0, 80))} has characters HTTP headers cannot carry.` },
  }),
  UnknownOperation: (e) => ({
    status: 404,
    type: 'UnknownOperationException',
    body: { message: `No operation at ${e.method} ${e.path}; the gateway answers POST /endpoints/<name>/invocations.` },
  }),
  ContainerError: (e) => ({
    status: 424,
    type: 'ModelError',
    body: {
      ErrorCode: e.status < 500 ? 'CLIENT_ERROR_FROM_MODEL' : 'SERVER_ERROR_FROM_MODEL',
      OriginalStatusCode: e.status,
      OriginalMessage: original(e.message),
      message: `Received ${e.status < 500 ? 'client' : 'server'} error (${e.status}) from ${e.container} with message "${original(e.message)}".`,
    },
  }),
  Unreachable: (e) => ({
    status: 503,
    type: 'ServiceUnavailable',
    body: { message: `Container ${e.container} at 127.0.0.1:${e.port} did not answer (${e.cause}); is the endpoint still InService?` },
  }),
  Internal: (e) => ({ status: 500, type: 'InternalFailure', body: { message: `The local gateway failed: ${e.message}` } }),
}

export const errorResponse = (e: GatewayError): ErrorResponse => (toResponse[e._tag] as (e: GatewayError) => ErrorResponse)(e)

// -------------------------------------------------------------------------------------
// variant choice
// -------------------------------------------------------------------------------------

/** A seedable uniform [0, 1) generator: the same seed routes the same requests the same way. */
export const seededRandom = (seed: number): (() => number) => mulberry32(seed)

/**
 * The variant for one request: the one `TargetVariant` names (whatever its weight, as the cloud
 * does), or one drawn with probability weight / total weight.
 */
export const pickVariant =
  (random: () => number, target: string | undefined) =>
  (endpoint: EndpointRecord): Either<GatewayError, VariantRoute> => {
    if (target !== undefined) {
      const named = endpoint.variants.find((v) => v.name === target)
      return named === undefined
        ? E.left({ _tag: 'UnknownVariant', endpoint: endpoint.name, variant: target, known: endpoint.variants.map((v) => v.name) })
        : E.right(named)
    }
    const total = endpoint.variants.reduce((n, v) => n + Math.max(0, v.weight), 0)
    if (!(total > 0)) return E.left({ _tag: 'NoTraffic', endpoint: endpoint.name })
    let x = random() * total
    for (const v of endpoint.variants) {
      if (v.weight <= 0) continue
      if (x < v.weight) return E.right(v)
      x -= v.weight
    }
    // Floating-point rounding can leave x a hair above the last weight.
    return E.right(endpoint.variants.filter((v) => v.weight > 0).at(-1)!)
  }
