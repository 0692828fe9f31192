/**
 * A predictor: an endpoint's name and the formats it speaks, turned into `predict(data)` through the
 * backend's InvokeEndpoint — the same on AWS and on this machine. Values go out through a serializer
 * and come back through a deserializer (`frameworks/serializers.ts`: CSV, JSON, NPY, raw bytes); an
 * error the model's container answered comes back as a `ModelError` value carrying its own message.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { bytesDeserializer, bytesSerializer, type Deserializer, type FormatError, type Serializer } from '../../frameworks/serializers.js'
import { isServiceError, type Output } from '../plan/operations.js'
import type { Backend } from '../execute/port.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category errors */
export type PredictError =
  /** The container answered an error: its status code, its message, where its logs are. */
  | { readonly _tag: 'ModelError'; readonly endpoint: string; readonly statusCode?: number; readonly message: string; readonly logStreamArn?: string }
  | { readonly _tag: 'ServiceError'; readonly endpoint: string; readonly name: string; readonly message: string }
  /** The answer could not be read as the deserializer expects. */
  | { readonly _tag: 'UnreadableAnswer'; readonly endpoint: string; readonly contentType?: string; readonly error: FormatError }

export interface PredictorOptions<I, O> {
  readonly backend: Backend
  /** @default raw bytes (`application/octet-stream`) */
  readonly serializer?: Serializer<I>
  /** @default raw bytes (`application/octet-stream`) */
  readonly deserializer?: Deserializer<O>
  /** @default the serializer's */
  readonly contentType?: string
  /** @default the deserializer's */
  readonly accept?: string
  /** Send to this production variant instead of letting the endpoint's weights choose. */
  readonly targetVariant?: string
}

/** One answer, as the endpoint sent it. */
export interface Invocation {
  readonly body: Uint8Array
  readonly contentType?: string
  readonly invokedVariant?: string
}

export interface Predictor<I, O> {
  readonly endpointName: string
  /** Serialize, invoke, deserialize. */
  readonly predict: (data: I, options?: { readonly signal?: AbortSignal }) => Promise<E.Either<PredictError, O>>
  /** Serialize and invoke; the answer's bytes untouched. */
  readonly invoke: (data: I, options?: { readonly signal?: AbortSignal }) => Promise<E.Either<PredictError, Invocation>>
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const numberField = (e: object, k: string): number | undefined => {
  const v = (e as Record<string, unknown>)[k]
  return typeof v === 'number' ? v : undefined
}
const stringField = (e: object, k: string): string | undefined => {
  const v = (e as Record<string, unknown>)[k]
  return typeof v === 'string' && v !== '' ? v : undefined
}

/** What InvokeEndpoint threw, as a value. */
export const toPredictError = (endpoint: string, e: unknown): PredictError => {
  if (isServiceError(e) && e.name === 'ModelError') {
    const statusCode = numberField(e, 'OriginalStatusCode')
    const logStreamArn = stringField(e, 'LogStreamArn')
    return {
      _tag: 'ModelError',
      endpoint,
      message: stringField(e, 'OriginalMessage') ?? e.message,
      ...(statusCode === undefined ? {} : { statusCode }),
      ...(logStreamArn === undefined ? {} : { logStreamArn }),
    }
  }
  if (isServiceError(e)) return { _tag: 'ServiceError', endpoint, name: e.name, message: e.message }
  return { _tag: 'ServiceError', endpoint, name: 'Error', message: e instanceof Error ? e.message : String(e) }
}

/**
 * A predictor for `endpointName`. With no serializer and deserializer it sends and returns raw bytes.
 *
 * @category constructors
 */
export const predictor = <I = Uint8Array, O = Uint8Array>(endpointName: string, options: PredictorOptions<I, O>): Predictor<I, O> => {
  const serializer = options.serializer ?? (bytesSerializer as unknown as Serializer<I>)
  const deserializer = options.deserializer ?? (bytesDeserializer as unknown as Deserializer<O>)
  const contentType = options.contentType ?? serializer.contentType
  const accept = options.accept ?? deserializer.accept
  const invoke: Predictor<I, O>['invoke'] = async (data, call = {}) => {
    let out: Output<'InvokeEndpoint'>
    try {
      out = await options.backend.send(
        'InvokeEndpoint',
        {
          EndpointName: endpointName,
          Body: serializer.serialize(data),
          ContentType: contentType,
          Accept: accept,
          ...(options.targetVariant === undefined ? {} : { TargetVariant: options.targetVariant }),
        },
        call.signal === undefined ? {} : { signal: call.signal },
      )
    } catch (e) {
      return E.left(toPredictError(endpointName, e))
    }
    return E.right({
      body: out.Body ?? new Uint8Array(),
      ...(out.ContentType === undefined ? {} : { contentType: out.ContentType }),
      ...(out.InvokedProductionVariant === undefined ? {} : { invokedVariant: out.InvokedProductionVariant }),
    })
  }
  return {
    endpointName,
    invoke,
    predict: async (data, call) => {
      const got = await invoke(data, call)
      if (E.isLeft(got)) return got
      const { body, contentType: answered } = got.right
      return E.mapLeft((error: FormatError): PredictError => ({ _tag: 'UnreadableAnswer', endpoint: endpointName, ...(answered === undefined ? {} : { contentType: answered }), error }))(
        deserializer.deserialize(body, answered),
      )
    },
  }
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/** One line a person can act on. @category destructors */
export const describePredictError = (e: PredictError): string => {
  switch (e._tag) {
    case 'ModelError':
      return `endpoint ${e.endpoint}: the model's container answered${e.statusCode === undefined ? '' : ` ${e.statusCode}`}: ${e.message}${e.logStreamArn === undefined ? '' : ` (its log: ${e.logStreamArn})`}`
    case 'ServiceError':
      return `endpoint ${e.endpoint}: InvokeEndpoint failed: ${e.name}: ${e.message}`
    case 'UnreadableAnswer':
      return `endpoint ${e.endpoint}: cannot read its answer${e.contentType === undefined ? '' : ` (${e.contentType})`}: ${e.error.message}`
  }
}
