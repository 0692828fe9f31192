/**
 * InvokeEndpoint on this machine: the one routing code behind both the gateway (for the AWS SDK,
 * boto3 and curl) and the in-process path of the local backend (`predictor`, `sagespec predict`),
 * so both answer the same bytes, headers and errors.
 *
 * A variant is chosen by `TargetVariant` or by weight, its containers run in order (an inference
 * pipeline: each one's output is the next one's input, with its content type), and the caller's
 * Accept goes to the last one. A container that cannot be reached (an update just replaced it) is
 * retried once on the routing read afresh.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Either } from 'fp-ts/lib/Either.js'
import type { ContainerRoute, EndpointRecord, VariantRoute } from './registry.js'
import { pickVariant, type GatewayError } from './routing.js'
import { validHeaderValue, type Upstream } from './upstream.js'

/** InvokeEndpoint's payload limit, for requests and answers alike. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024

/** The runtime's request, as its HTTP headers carry it. */
export interface InvokeRequest {
  readonly body: Uint8Array
  readonly contentType?: string
  readonly accept?: string
  readonly customAttributes?: string
  readonly targetVariant?: string
}

export interface InvokeAnswer {
  readonly body: Buffer
  readonly contentType?: string
  readonly customAttributes?: string
  /** The production variant that answered (`x-Amzn-Invoked-Production-Variant`). */
  readonly variant: string
}

export type Invoke = (endpoint: string, request: InvokeRequest, signal?: AbortSignal) => Promise<Either<GatewayError, InvokeAnswer>>

type Outcome = Either<{ readonly retry: boolean; readonly error: GatewayError }, InvokeAnswer>

/**
 * The invoke function over a registry lookup, a uniform random source (weights) and a container
 * client. Instances of a container take requests in turn.
 */
export const invoker = (lookup: (name: string) => EndpointRecord | undefined, random: () => number, client: Upstream): Invoke => {
  const turns = new Map<ContainerRoute, number>()
  const portOf = (c: ContainerRoute): number => {
    if (c.addresses.length === 1) return c.addresses[0]!.port
    const n = turns.get(c) ?? 0
    turns.set(c, n + 1)
    return c.addresses[n % c.addresses.length]!.port
  }

  const run = async (variant: VariantRoute, request: InvokeRequest, signal: AbortSignal | undefined): Promise<Outcome> => {
    let input = request.body
    let contentType = request.contentType
    const last = variant.containers.length - 1
    // A variant always has a container (the backend writes none without); an empty one is a bug.
    if (last < 0) throw new Error(`variant ${variant.name} has no container`)
    for (let i = 0; i <= last; i++) {
      const container = variant.containers[i]!
      const port = portOf(container)
      const headers: Array<readonly [string, string]> = []
      if (contentType !== undefined) headers.push(['Content-Type', contentType])
      // The caller's Accept is for what comes out of the endpoint: the last container.
      if (i === last && request.accept !== undefined) headers.push(['Accept', request.accept])
      // Forwarded to every container, as the runtime does.
      if (request.customAttributes !== undefined) headers.push(['X-Amzn-SageMaker-Custom-Attributes', request.customAttributes])
      const call = await client.post(port, { path: '/invocations', headers, body: input }, signal)
      if (call._tag === 'Unreachable') return E.left({ retry: true, error: { _tag: 'Unreachable', container: container.name, port, cause: call.cause } })
      if (call._tag === 'BadAnswer') return E.left({ retry: false, error: { _tag: 'ContainerError', container: container.name, status: 502, message: call.cause } })
      if (call.status < 200 || call.status > 299) {
        return E.left({ retry: false, error: { _tag: 'ContainerError', container: container.name, status: call.status, message: call.body.toString('utf8') } })
      }
      if (i < last) {
        input = call.body
        contentType = call.headers.get('content-type')
        continue
      }
      const ct = call.headers.get('content-type')
      const attrs = call.headers.get('x-amzn-sagemaker-custom-attributes')
      return E.right({
        body: call.body,
        variant: variant.name,
        ...(ct === undefined ? {} : { contentType: ct }),
        ...(attrs === undefined ? {} : { customAttributes: attrs }),
      })
    }
    throw new Error('unreachable')
  }

  return async (endpoint, request, signal) => {
    if (request.body.length > MAX_PAYLOAD_BYTES) return E.left({ _tag: 'PayloadTooLarge', limit: MAX_PAYLOAD_BYTES })
    for (const v of [request.contentType, request.accept, request.customAttributes]) {
      if (v !== undefined && !validHeaderValue(v)) return E.left({ _tag: 'InvalidHeader', value: v })
    }
    // A second try reads the routing afresh: an update may have just replaced the containers.
    for (let attempt = 1; ; attempt++) {
      const record = lookup(endpoint)
      if (record === undefined) return E.left({ _tag: 'UnknownEndpoint', endpoint })
      const variant = pickVariant(random, request.targetVariant)(record)
      if (E.isLeft(variant)) return variant
      const outcome = await run(variant.right, request, signal)
      if (E.isRight(outcome)) return outcome
      if (!outcome.left.retry || attempt >= 2) return E.left(outcome.left.error)
    }
  }
}
