/**
 * The NumPy `.npy` format (version 1.0 written; 1.0, 2.0 and 3.0 read), for float32, float64 and
 * int32 arrays in little-endian C order — what PyTorch, Chainer and scikit-learn endpoints take and
 * return as `application/x-npy`.
 *
 * Layout: the magic `\x93NUMPY`, major and minor version bytes, the header length (uint16 little-endian
 * in 1.0, uint32 in 2.0/3.0), then an ASCII Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` padded with spaces and ended by `\n` so
 * that the data starts at a multiple of 64 bytes, then the elements. The writer pads exactly as NumPy
 * does (room for the first axis to grow to 21 digits), so its bytes equal `numpy.save`'s.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type DType = 'float32' | 'float64' | 'int32'

export type TypedArrayOf<D extends DType> = D extends 'float32' ? Float32Array : D extends 'float64' ? Float64Array : Int32Array

/** A dense array: elements in C (row-major) order. */
export interface NdArray<D extends DType = DType> {
  readonly dtype: D
  readonly shape: ReadonlyArray<number>
  readonly data: TypedArrayOf<D>
}

export type NpyError = { readonly _tag: 'InvalidNpy'; readonly message: string }

interface DTypeInfo {
  readonly descr: string
  readonly size: number
  readonly make: (n: number) => Float32Array | Float64Array | Int32Array
  readonly get: (v: DataView, offset: number) => number
  readonly set: (v: DataView, offset: number, x: number) => void
}

const DTYPES: { readonly [D in DType]: DTypeInfo } = {
  float32: { descr: '<f4', size: 4, make: (n) => new Float32Array(n), get: (v, o) => v.getFloat32(o, true), set: (v, o, x) => v.setFloat32(o, x, true) },
  float64: { descr: '<f8', size: 8, make: (n) => new Float64Array(n), get: (v, o) => v.getFloat64(o, true), set: (v, o, x) => v.setFloat64(o, x, true) },
  int32: { descr: '<i4', size: 4, make: (n) => new Int32Array(n), get: (v, o) => v.getInt32(o, true), set: (v, o, x) => v.setInt32(o, x, true) },
}

const BY_DESCR: ReadonlyMap<string, DType> = new Map(
  (Object.entries(DTYPES) as Array<[DType, DTypeInfo]>).flatMap(([d, i]) => [
    [i.descr, d],
    // `=` is native order; NumPy writes it only on little-endian hosts for these types as `<`, but accept it.
    [`=${i.descr.slice(1)}`, d],
  ]),
)

export const NPY_MAGIC = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59)
/** NumPy aligns the data to 64 bytes. */
const ALIGN = 64
/** NumPy leaves room in the header for the growth axis to reach this many digits. */
const GROWTH_AXIS_MAX_DIGITS = 21

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const sizeOf = (shape: ReadonlyArray<number>): number => shape.reduce((a, b) => a * b, 1)

/** An array of `dtype` and `shape` holding `values` (copied, converted to the dtype). Throws if sizes differ (a bug). */
export const ndarray = <D extends DType>(dtype: D, shape: ReadonlyArray<number>, values: ArrayLike<number>): NdArray<D> => {
  if (!shape.every((n) => Number.isInteger(n) && n >= 0)) throw new RangeError(`ndarray: shape ${JSON.stringify(shape)} has a negative or fractional axis`)
  if (sizeOf(shape) !== values.length) throw new RangeError(`ndarray: shape ${JSON.stringify(shape)} holds ${sizeOf(shape)} elements, got ${values.length}`)
  const data = DTYPES[dtype].make(values.length)
  data.set(Array.from(values))
  return { dtype, shape: [...shape], data: data as TypedArrayOf<D> }
}

/** A 2-D array from equal-length rows. Throws if rows differ in length (a bug). */
export const fromRows = <D extends DType>(dtype: D, rows: ReadonlyArray<ReadonlyArray<number>>): NdArray<D> => {
  const cols = rows[0]?.length ?? 0
  if (rows.some((r) => r.length !== cols)) throw new RangeError('fromRows: rows of different lengths')
  return ndarray(dtype, [rows.length, cols], rows.flat())
}

/** The rows of a 2-D array (a 1-D array is one row). */
export const toRows = (a: NdArray): ReadonlyArray<ReadonlyArray<number>> => {
  if (a.shape.length === 1) return [Array.from(a.data)]
  const [rows = 0, cols = 0] = a.shape
  return Array.from({ length: rows }, (_, i) => Array.from(a.data.subarray(i * cols, (i + 1) * cols)))
}

// -------------------------------------------------------------------------------------
// encoding
// -------------------------------------------------------------------------------------

/** Python's `repr` of a tuple of ints: `()`, `(3,)`, `(2, 3)`. */
const pyTuple = (shape: ReadonlyArray<number>): string => (shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`)

export const npyHeader = (dtype: DType, shape: ReadonlyArray<number>): string => {
  const dict = `{'descr': '${DTYPES[dtype].descr}', 'fortran_order': False, 'shape': ${pyTuple(shape)}, }`
  const growth = shape.length === 0 ? 0 : GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length
  const unpadded = dict + ' '.repeat(growth)
  const pad = (ALIGN - ((NPY_MAGIC.length + 4 + unpadded.length + 1) % ALIGN)) % ALIGN
  return `${unpadded}${' '.repeat(pad)}\n`
}

/** `.npy` version 1.0 bytes, equal to `numpy.save`'s for the same array. */
export const encodeNpy = (a: NdArray): Uint8Array => {
  const info = DTYPES[a.dtype]
  const header = npyHeader(a.dtype, a.shape)
  const start = NPY_MAGIC.length + 4 + header.length
  const out = new Uint8Array(start + a.data.length * info.size)
  out.set(NPY_MAGIC, 0)
  out[6] = 1
  out[7] = 0
  const view = new DataView(out.buffer)
  view.setUint16(8, header.length, true)
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i)
  for (let i = 0; i < a.data.length; i++) info.set(view, start + i * info.size, a.data[i]!)
  return out
}

// -------------------------------------------------------------------------------------
// decoding
// -------------------------------------------------------------------------------------

const fail = (message: string): E.Either<NpyError, never> => E.left({ _tag: 'InvalidNpy', message })

const parseShape = (s: string): ReadonlyArray<number> | undefined => {
  const parts = s
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
  return parts.every((p) => /^\d+L?$/.test(p)) ? parts.map((p) => Number.parseInt(p, 10)) : undefined
}

/** Read `.npy` bytes (versions 1.0, 2.0, 3.0; little-endian float32/float64/int32, C order). */
export const decodeNpy = (bytes: Uint8Array): E.Either<NpyError, NdArray> => {
  if (bytes.length < 10 || !NPY_MAGIC.every((b, i) => bytes[i] === b)) return fail('not an .npy file (no \\x93NUMPY magic)')
  const major = bytes[6]!
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const wide = major === 2 || major === 3
  if (major !== 1 && !wide) return fail(`unsupported .npy version ${major}.${bytes[7]}`)
  const headerLength = wide ? (bytes.length >= 12 ? view.getUint32(8, true) : -1) : view.getUint16(8, true)
  const headerStart = wide ? 12 : 10
  if (headerLength < 0 || headerStart + headerLength > bytes.length) return fail('truncated header')
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLength))
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]+)['"]/.exec(header)?.[1]
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1]
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1]
  if (descr === undefined || fortran === undefined || shapeText === undefined) return fail(`header is not an .npy dict: ${JSON.stringify(header.trim())}`)
  const dtype = BY_DESCR.get(descr)
  if (dtype === undefined) return fail(`dtype ${descr} is not supported (expected one of <f4, <f8, <i4)`)
  if (fortran === 'True') return fail('Fortran-order arrays are not supported (expected C order)')
  const shape = parseShape(shapeText)
  if (shape === undefined) return fail(`shape (${shapeText}) is not a tuple of sizes`)
  const info = DTYPES[dtype]
  const start = headerStart + headerLength
  const count = sizeOf(shape)
  if (bytes.length - start !== count * info.size)
    return fail(`shape ${pyTuple(shape)} of ${descr} needs ${count * info.size} data bytes, found ${bytes.length - start}`)
  const data = info.make(count)
  for (let i = 0; i < count; i++) data[i] = info.get(view, start + i * info.size)
  return E.right({ dtype, shape, data } as NdArray)
}
