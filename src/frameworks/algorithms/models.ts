/**
 * Models of the Amazon algorithms (the reference SDK's `KMeansModel`, `PCAModel`, …): the algorithm's
 * image for the region plus the model data, usually `train.outputs.modelArtifacts`. And the formats
 * their endpoints speak: RecordIO-protobuf in and out, except IPInsights (CSV in, JSON out) and
 * Object2Vec (JSON in and out), with pure codecs for request and response bodies.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Either } from 'fp-ts/lib/Either.js'
import { model } from '../../spec/step.js'
import type { Val } from '../../spec/val.js'
import { algorithmImage, describeImageError } from '../images.js'
import type { RecordIoError } from '../recordio.js'
import { decodePredictions, encodeInstances, type MatrixInput, type Prediction } from './record-set.js'
import { ALGORITHM_SPECS, type AmazonAlgorithm } from './tables.js'

// -------------------------------------------------------------------------------------
// models
// -------------------------------------------------------------------------------------

type ModelBody = Parameters<typeof model>[1]

export interface AlgorithmModelOptions extends Partial<Pick<ModelBody, 'vpc' | 'enableNetworkIsolation' | 'baseName' | 'tags' | 'overrides' | 'after' | 'description'>> {
  /** The trained model: usually `train.outputs.modelArtifacts`. */
  readonly modelData: Val<string>
  readonly role: Val<string>
  /** Picks the algorithm's image. */
  readonly region: string
  readonly environment?: Readonly<Record<string, Val<string>>>
}

const PASS = ['vpc', 'enableNetworkIsolation', 'baseName', 'tags', 'overrides', 'after', 'description'] as const

/**
 * A model of any Amazon algorithm. Total: an unknown region is reported at `container.image`.
 *
 * @category constructors
 */
export const algorithmModel = (algorithm: AmazonAlgorithm, name: string, o: AlgorithmModelOptions) => {
  const image = algorithmImage(ALGORITHM_SPECS[algorithm].algorithm, o.region)
  const rest: Partial<ModelBody> = Object.fromEntries(PASS.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]))
  return model(name, {
    container: {
      ...(E.isRight(image) ? { image: image.right } : {}),
      modelDataUrl: o.modelData,
      ...(o.environment !== undefined && Object.keys(o.environment).length > 0 ? { environment: o.environment } : {}),
    },
    role: o.role,
    ...rest,
    ...(E.isLeft(image) ? { presetErrors: [{ path: 'container.image', ...describeImageError(image.left) }] } : {}),
  })
}

const modelOf = (algorithm: AmazonAlgorithm) => (name: string, o: AlgorithmModelOptions) => algorithmModel(algorithm, name, o)

/** @category constructors */
export const kmeansModel = modelOf('kmeans')
/** @category constructors */
export const pcaModel = modelOf('pca')
/** @category constructors */
export const linearLearnerModel = modelOf('linear-learner')
/** @category constructors */
export const factorizationMachinesModel = modelOf('factorization-machines')
/** @category constructors */
export const ldaModel = modelOf('lda')
/** @category constructors */
export const ntmModel = modelOf('ntm')
/** @category constructors */
export const randomCutForestModel = modelOf('randomcutforest')
/** @category constructors */
export const knnModel = modelOf('knn')
/** @category constructors */
export const object2vecModel = modelOf('object2vec')
/** @category constructors */
export const ipInsightsModel = modelOf('ipinsights')

// -------------------------------------------------------------------------------------
// predictors
// -------------------------------------------------------------------------------------

export const RECORDIO = 'application/x-recordio-protobuf'

/** What an endpoint of the algorithm reads (`ContentType`) and writes (`Accept`). */
export type PredictorFormat =
  | { readonly _tag: 'RecordIO'; readonly contentType: typeof RECORDIO; readonly accept: typeof RECORDIO }
  | { readonly _tag: 'CsvJson'; readonly contentType: 'text/csv'; readonly accept: 'application/json' }
  | { readonly _tag: 'Json'; readonly contentType: 'application/json'; readonly accept: 'application/json' }

const recordIo: PredictorFormat = { _tag: 'RecordIO', contentType: RECORDIO, accept: RECORDIO }

export const PREDICTORS: { readonly [A in AmazonAlgorithm]: PredictorFormat } = {
  kmeans: recordIo,
  pca: recordIo,
  'linear-learner': recordIo,
  'factorization-machines': recordIo,
  lda: recordIo,
  ntm: recordIo,
  randomcutforest: recordIo,
  knn: recordIo,
  object2vec: { _tag: 'Json', contentType: 'application/json', accept: 'application/json' },
  ipinsights: { _tag: 'CsvJson', contentType: 'text/csv', accept: 'application/json' },
}

const utf8 = new TextEncoder()
const utf8Decoder = new TextDecoder('utf-8', { fatal: true })

const parseJson = (bytes: Uint8Array): Either<string, unknown> =>
  E.tryCatch(
    () => JSON.parse(utf8Decoder.decode(bytes)) as unknown,
    (e) => `a JSON response: ${(e as Error).message}`,
  )

/**
 * CSV rows as the reference SDK's `csv_serializer` writes them: values joined by `,`, rows by `\n`.
 * It does not quote, so a value holding a comma, quote or newline is refused rather than split.
 */
export const csvRows = (rows: ReadonlyArray<ReadonlyArray<string | number>>): Either<string, Uint8Array> => {
  if (rows.length === 0) return E.left('at least one row')
  const bad = rows.flat().find((v) => typeof v === 'string' && /[",\r\n]/.test(v))
  if (bad !== undefined) return E.left(`CSV values without commas, quotes or newlines (found ${JSON.stringify(bad)})`)
  return E.right(utf8.encode(rows.map((r) => r.join(',')).join('\n')))
}

/** Request and response codecs per format (pure: bytes in, bytes out). */
export const PREDICTOR_CODECS = {
  RecordIO: {
    serialize: (m: MatrixInput): Either<string, Uint8Array> => encodeInstances(m),
    deserialize: (bytes: Uint8Array): Either<RecordIoError, ReadonlyArray<Prediction>> => decodePredictions(bytes),
  },
  CsvJson: { serialize: csvRows, deserialize: parseJson },
  Json: {
    serialize: (u: unknown): Either<string, Uint8Array> => {
      const text = JSON.stringify(u)
      return text === undefined ? E.left('a JSON value') : E.right(utf8.encode(text))
    },
    deserialize: parseJson,
  },
} as const
