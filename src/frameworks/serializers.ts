/**
 * How predictions travel: each format is data (the `ContentType` it sends, the `Accept` it asks for)
 * plus pure functions between values and bytes. The default pair per framework is data as well, so
 * an executor or a test invoking an endpoint knows what the model's container speaks.
 *
 * - CSV (`text/csv`): rows joined by `\n`, fields by `,`, RFC 4180 quoting where needed.
 * - JSON (`application/json`): UTF-8 JSON; arrays (`NdArray`) anywhere become nested lists.
 * - NPY (`application/x-npy`): see `npy.ts`. Its deserializer, like the reference SDK's numpy one,
 *   also reads CSV and JSON replies by their content type.
 * - Raw bytes (`application/octet-stream`): passed through.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { decodeNpy, encodeNpy, ndarray, type NdArray } from './npy.js'
import type { FrameworkName } from './script-mode.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type FormatError =
  | { readonly _tag: 'InvalidCsv'; readonly message: string }
  | { readonly _tag: 'InvalidJson'; readonly message: string }
  | { readonly _tag: 'InvalidNpy'; readonly message: string }
  | { readonly _tag: 'UnsupportedContentType'; readonly message: string }

export interface Serializer<A> {
  readonly contentType: string
  readonly serialize: (value: A) => Uint8Array
}

export interface Deserializer<A> {
  readonly accept: string
  /** `contentType`: the reply's, when it says; some deserializers decode by it. */
  readonly deserialize: (body: Uint8Array, contentType?: string) => E.Either<FormatError, A>
}

export const CONTENT_TYPES = {
  csv: 'text/csv',
  json: 'application/json',
  npy: 'application/x-npy',
  bytes: 'application/octet-stream',
} as const
export type FormatName = keyof typeof CONTENT_TYPES

const utf8 = new TextEncoder()
const fromUtf8 = (b: Uint8Array): string => new TextDecoder('utf-8').decode(b)
/** `text/csv; charset=utf-8` → `text/csv` */
const mediaType = (ct: string | undefined): string | undefined => ct?.split(';')[0]?.trim().toLowerCase()

// -------------------------------------------------------------------------------------
// CSV
// -------------------------------------------------------------------------------------

export type CsvField = string | number
export type CsvRows = ReadonlyArray<ReadonlyArray<CsvField>>

const quoteField = (f: CsvField): string => {
  // `String(-0)` is '0'; Python writes '-0.0', and the sign survives the trip back.
  const s = typeof f === 'number' ? (Object.is(f, -0) ? '-0' : String(f)) : f
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** Rows → `a,b\nc,d` (no trailing newline). A row of one empty field is written `""` so it survives. */
export const encodeCsv = (rows: CsvRows): string =>
  rows.map((r) => (r.length === 1 && r[0] === '' ? '""' : r.map(quoteField).join(','))).join('\n')

/** RFC 4180 records (LF or CRLF line ends; a final line end is optional). */
export const decodeCsv = (text: string): E.Either<FormatError, ReadonlyArray<ReadonlyArray<string>>> => {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let i = 0
  let quoted = false
  const endField = () => {
    row.push(field)
    field = ''
  }
  const endRow = () => {
    endField()
    rows.push(row)
    row = []
  }
  while (i < text.length) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i += 2
      } else if (c === '"') {
        quoted = false
        i++
        const next = text[i]
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r')
          return E.left({ _tag: 'InvalidCsv', message: `unexpected ${JSON.stringify(next)} after a closing quote at offset ${i}` })
      } else {
        field += c
        i++
      }
      continue
    }
    if (c === '"' && field === '') {
      quoted = true
      i++
    } else if (c === ',') {
      endField()
      i++
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      endRow()
      i += c === '\r' ? 2 : 1
    } else {
      field += c
      i++
    }
  }
  if (quoted) return E.left({ _tag: 'InvalidCsv', message: 'unterminated quoted field' })
  // Text after the last line end is a last row; a line end at the very end adds none.
  if (field !== '' || row.length > 0 || (text.length > 0 && !text.endsWith('\n'))) endRow()
  return E.right(rows)
}

/** CSV of numbers; every field must parse as one (`NaN`/`Infinity` included, as Python's `float` reads them). */
export const decodeCsvNumbers = (text: string): E.Either<FormatError, ReadonlyArray<ReadonlyArray<number>>> => {
  const parsed = decodeCsv(text)
  if (E.isLeft(parsed)) return parsed
  const out: number[][] = []
  for (const [r, row] of parsed.right.entries()) {
    const nums: number[] = []
    for (const [c, f] of row.entries()) {
      const n = f.trim() === '' ? Number.NaN : Number(f)
      if (Number.isNaN(n) && f.trim() !== 'NaN') return E.left({ _tag: 'InvalidCsv', message: `row ${r + 1}, field ${c + 1}: ${JSON.stringify(f)} is not a number` })
      nums.push(n)
    }
    out.push(nums)
  }
  return E.right(out)
}

export const csvSerializer: Serializer<CsvRows> = { contentType: CONTENT_TYPES.csv, serialize: (rows) => utf8.encode(encodeCsv(rows)) }
export const csvDeserializer: Deserializer<ReadonlyArray<ReadonlyArray<string>>> = {
  accept: CONTENT_TYPES.csv,
  deserialize: (body) => decodeCsv(fromUtf8(body)),
}

// -------------------------------------------------------------------------------------
// JSON
// -------------------------------------------------------------------------------------

const isNdArray = (u: unknown): u is NdArray =>
  typeof u === 'object' && u !== null && 'dtype' in u && 'shape' in u && 'data' in u && ArrayBuffer.isView((u as { data: unknown }).data)

/** Nested lists of an array's elements, following its shape (a 0-d array is its one element). */
export const toNested = (a: NdArray): unknown => {
  const go = (axis: number, offset: number): unknown => {
    if (axis === a.shape.length) return a.data[offset]
    const stride = a.shape.slice(axis + 1).reduce((x, y) => x * y, 1)
    return Array.from({ length: a.shape[axis]! }, (_, i) => go(axis + 1, offset + i * stride))
  }
  return go(0, 0)
}

const jsonReady = (u: unknown): unknown =>
  isNdArray(u)
    ? toNested(u)
    : Array.isArray(u)
      ? u.map(jsonReady)
      : typeof u === 'object' && u !== null
        ? Object.fromEntries(Object.entries(u).map(([k, v]) => [k, jsonReady(v)]))
        : u

export const encodeJson = (value: unknown): string => JSON.stringify(jsonReady(value))

export const decodeJson = (text: string): E.Either<FormatError, unknown> => {
  try {
    return E.right(JSON.parse(text) as unknown)
  } catch (e) {
    return E.left({ _tag: 'InvalidJson', message: e instanceof Error ? e.message : String(e) })
  }
}

export const jsonSerializer: Serializer<unknown> = { contentType: CONTENT_TYPES.json, serialize: (v) => utf8.encode(encodeJson(v)) }
export const jsonDeserializer: Deserializer<unknown> = { accept: CONTENT_TYPES.json, deserialize: (body) => decodeJson(fromUtf8(body)) }

// -------------------------------------------------------------------------------------
// NPY
// -------------------------------------------------------------------------------------

/** A rectangular nested list of numbers as a float64 array; `undefined` when ragged or not numeric. */
export const fromNested = (u: unknown): NdArray<'float64'> | undefined => {
  const shape: number[] = []
  for (let x = u; Array.isArray(x); x = x[0]) shape.push(x.length)
  const flat: number[] = []
  const go = (x: unknown, axis: number): boolean => {
    if (axis === shape.length) return typeof x === 'number' ? (flat.push(x), true) : false
    return Array.isArray(x) && x.length === shape[axis] && x.every((y) => go(y, axis + 1))
  }
  return go(u, 0) ? ndarray('float64', shape, flat) : undefined
}

export const npySerializer: Serializer<NdArray> = { contentType: CONTENT_TYPES.npy, serialize: encodeNpy }

/** NPY, or — by the reply's content type — CSV (a 2-D float64 array) or JSON (nested lists). */
export const npyDeserializer: Deserializer<NdArray> = {
  accept: CONTENT_TYPES.npy,
  deserialize: (body, contentType) => {
    const type = mediaType(contentType) ?? CONTENT_TYPES.npy
    if (type === CONTENT_TYPES.npy) return decodeNpy(body)
    if (type === CONTENT_TYPES.csv)
      return E.flatMap(decodeCsvNumbers(fromUtf8(body)), (rows): E.Either<FormatError, NdArray> => {
        const cols = rows[0]?.length ?? 0
        return rows.every((r) => r.length === cols)
          ? E.right(ndarray('float64', [rows.length, cols], rows.flat()))
          : E.left({ _tag: 'InvalidCsv', message: 'rows of different lengths do not make an array' })
      })
    if (type === CONTENT_TYPES.json)
      return E.flatMap(decodeJson(fromUtf8(body)), (u): E.Either<FormatError, NdArray> => {
        const a = fromNested(u)
        return a === undefined ? E.left({ _tag: 'InvalidJson', message: 'not a rectangular array of numbers' }) : E.right(a)
      })
    return E.left({ _tag: 'UnsupportedContentType', message: `cannot read ${type} as an array (expected ${CONTENT_TYPES.npy}, ${CONTENT_TYPES.csv} or ${CONTENT_TYPES.json})` })
  },
}

// -------------------------------------------------------------------------------------
// raw bytes
// -------------------------------------------------------------------------------------

export const bytesSerializer: Serializer<Uint8Array> = { contentType: CONTENT_TYPES.bytes, serialize: (b) => b.slice() }
export const bytesDeserializer: Deserializer<Uint8Array> = { accept: CONTENT_TYPES.bytes, deserialize: (b) => E.right(b.slice()) }

// -------------------------------------------------------------------------------------
// defaults per framework
// -------------------------------------------------------------------------------------

export const SERIALIZERS: { readonly [F in FormatName]: Serializer<never> } = {
  csv: csvSerializer,
  json: jsonSerializer,
  npy: npySerializer,
  bytes: bytesSerializer,
}
export const DESERIALIZERS: { readonly [F in FormatName]: Deserializer<unknown> } = {
  csv: csvDeserializer,
  json: jsonDeserializer,
  npy: npyDeserializer,
  bytes: bytesDeserializer,
}

/** What a predictor sends and asks for. */
export interface PredictorFormats {
  readonly serializer: FormatName
  readonly deserializer: FormatName
}

/**
 * The reference SDK's default predictor formats: NumPy for PyTorch, Chainer and scikit-learn; JSON for
 * MXNet, TensorFlow Serving, Hugging Face and RL (served by TensorFlow Serving or MXNet); CSV for
 * XGBoost (its container reads `text/csv`; the SDK's LibSVM default is not among these formats); CSV
 * in and raw bytes out for SparkML Serving.
 */
export const DEFAULT_FORMATS: { readonly [K in FrameworkName | 'sparkml-serving']: PredictorFormats } = {
  pytorch: { serializer: 'npy', deserializer: 'npy' },
  chainer: { serializer: 'npy', deserializer: 'npy' },
  sklearn: { serializer: 'npy', deserializer: 'npy' },
  mxnet: { serializer: 'json', deserializer: 'json' },
  tensorflow: { serializer: 'json', deserializer: 'json' },
  huggingface: { serializer: 'json', deserializer: 'json' },
  rl: { serializer: 'json', deserializer: 'json' },
  xgboost: { serializer: 'csv', deserializer: 'csv' },
  'sparkml-serving': { serializer: 'csv', deserializer: 'bytes' },
}

/** The `ContentType` and `Accept` of an `InvokeEndpoint` call with these formats. */
export const invokeHeaders = (f: PredictorFormats): { readonly ContentType: string; readonly Accept: string } => ({
  ContentType: CONTENT_TYPES[f.serializer],
  Accept: CONTENT_TYPES[f.deserializer],
})
