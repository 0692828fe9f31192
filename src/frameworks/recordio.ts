/**
 * RecordIO-protobuf (`application/x-recordio-protobuf`): the wire format the
 * SageMaker built-in (Amazon) algorithms read for training and write for
 * predictions.
 *
 * Two layers, both hand-written from their definitions:
 *  - RecordIO framing: per record a uint32 LE magic 0xced7230a, a uint32 LE
 *    header word (low 29 bits = payload length, high 3 bits = continuation
 *    flag, 0 for a complete record), the payload, zero padding to 4 bytes.
 *  - The payload is the protobuf message `aialgs.data.Record`:
 *      Record        { map<string,Value> features = 1; map<string,Value> label = 2;
 *                      string uid = 3; string metadata = 4; string configuration = 5 }
 *      Value         { oneof { Float32Tensor float32_tensor = 2; Float64Tensor float64_tensor = 3;
 *                              Int32Tensor int32_tensor = 7; Bytes bytes = 9 } }
 *      *Tensor       { repeated <float|double|int32> values = 1 [packed];
 *                      repeated uint64 keys = 2 [packed]; repeated uint64 shape = 3 [packed] }
 *    A map entry is an embedded message { key = 1; value = 2 }.
 *
 * Everything here is pure (no I/O); hashing for content-addressed keys is
 * pure too. Bad input yields `Left<RecordIoError>`; exceptions are reserved
 * for caller bugs (e.g. a matrix whose `values` length is not rows*cols).
 */
import { createHash } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import type { Either } from 'fp-ts/lib/Either.js'

// ---------------------------------------------------------------------------
// Types

export type TensorKind = 'float32' | 'float64' | 'int32'

export interface Tensor {
  readonly kind: TensorKind
  readonly values: ReadonlyArray<number>
  /** Sparse-tensor indices. Empty and absent are the same on the wire; the decoder omits empty. */
  readonly keys?: ReadonlyArray<bigint>
  /** Logical shape. Empty and absent are the same on the wire; the decoder omits empty. */
  readonly shape?: ReadonlyArray<bigint>
}

/** `aialgs.data.Record`. Named to avoid clashing with TypeScript's `Record`. */
export interface ProtoRecord {
  readonly features: ReadonlyMap<string, Tensor>
  readonly label: ReadonlyMap<string, Tensor>
  readonly uid?: string
  readonly metadata?: string
  readonly configuration?: string
}

export type RecordIoErrorKind =
  | 'truncated' // input ended (or an enclosing length ran out) before a complete item
  | 'bad-magic' // RecordIO magic number mismatch
  | 'continuation' // multi-part RecordIO record (continuation bits set): not produced by SageMaker, not supported
  | 'malformed' // structurally invalid protobuf (bad varint, field 0, bad packed length, invalid UTF-8)
  | 'unsupported' // valid protobuf we cannot represent (Bytes values, groups, empty Value)
  | 'invalid-argument' // bad caller-supplied parameters (instance count, S3 prefix, matrix shape)

export interface RecordIoError {
  readonly kind: RecordIoErrorKind
  readonly message: string
  /** Byte offset of the problem: within the payload for `decodeRecord`, within the whole buffer otherwise. */
  readonly offset?: number
  /** Index of the offending record, when reading a stream of records. */
  readonly record?: number
}

export type DenseArray = Float32Array | Float64Array | Int32Array

export interface DenseMatrix {
  readonly rows: number
  readonly cols: number
  /** Row-major, length rows * cols. */
  readonly values: DenseArray
}

// ---------------------------------------------------------------------------
// Protobuf wire constants

const WT_VARINT = 0
const WT_FIXED64 = 1
const WT_LEN = 2
const WT_FIXED32 = 5

const RECORD_FEATURES = 1
const RECORD_LABEL = 2
const RECORD_UID = 3
const RECORD_METADATA = 4
const RECORD_CONFIGURATION = 5
const ENTRY_KEY = 1
const ENTRY_VALUE = 2
const TENSOR_VALUES = 1
const TENSOR_KEYS = 2
const TENSOR_SHAPE = 3
const VALUE_BYTES = 9

const VALUE_FIELD: { readonly [K in TensorKind]: number } = { float32: 2, float64: 3, int32: 7 }
const KIND_OF_VALUE_FIELD: ReadonlyMap<number, TensorKind> = new Map([
  [2, 'float32'],
  [3, 'float64'],
  [7, 'int32'],
])

const tag = (field: number, wireType: number): number => field * 8 + wireType

// ---------------------------------------------------------------------------
// Encoding: sizes are computed first so each record is written into one
// exactly-sized buffer (length prefixes are varints, so sizes must be known
// before the bytes they prefix).

/** Internal tensor view: accepts typed-array rows without copying them. */
interface TensorLike {
  readonly kind: TensorKind
  readonly values: ArrayLike<number>
  readonly keys?: ReadonlyArray<bigint> | undefined
  readonly shape?: ReadonlyArray<bigint> | undefined
}

interface RecordLike {
  readonly features: Iterable<readonly [string, TensorLike]>
  readonly label: Iterable<readonly [string, TensorLike]>
  readonly uid?: string | undefined
  readonly metadata?: string | undefined
  readonly configuration?: string | undefined
}

const UINT64_LIMIT = 1n << 64n

const bitLength32 = (x: number): number => 32 - Math.clz32(x)

/** Size of a varint holding a non-negative safe integer. */
const varintSize = (n: number): number => {
  let size = 1
  while (n >= 0x80) {
    n = Math.floor(n / 128)
    size++
  }
  return size
}

/** Size of a varint holding the unsigned 64-bit value hi:lo. */
const varintSize64 = (lo: number, hi: number): number =>
  hi === 0 ? Math.max(1, Math.ceil(bitLength32(lo) / 7)) : Math.ceil((32 + bitLength32(hi)) / 7)

// int32 is encoded as a sign-extended 64-bit varint, so negatives take 10 bytes.
const int32Size = (v: number): number => (v < 0 ? 10 : varintSize64(v, 0))

const checkInt32 = (v: number): number => {
  if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
    throw new RangeError(`int32 tensor value out of range: ${v}`)
  }
  return v
}

const splitUint64 = (b: bigint): readonly [number, number] => {
  if (b < 0n || b >= UINT64_LIMIT) throw new RangeError(`uint64 out of range: ${b}`)
  return [Number(b & 0xffffffffn), Number(b >> 32n)]
}

const uint64Size = (b: bigint): number => {
  const [lo, hi] = splitUint64(b)
  return varintSize64(lo, hi)
}

/** UTF-8 length without encoding; lone surrogates count as U+FFFD (3 bytes), as TextEncoder writes them. */
const utf8Length = (s: string): number => {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4
        i++
      } else n += 3
    } else n += 3
  }
  return n
}

/** Size of a length-delimited field (single-byte tag) whose body is `body` bytes. */
const lenFieldSize = (body: number): number => 1 + varintSize(body) + body

const packedSize = (body: number, count: number): number => (count === 0 ? 0 : lenFieldSize(body))

const valuesBodySize = (t: TensorLike): number => {
  switch (t.kind) {
    case 'float32':
      return 4 * t.values.length
    case 'float64':
      return 8 * t.values.length
    case 'int32': {
      let n = 0
      for (let i = 0; i < t.values.length; i++) n += int32Size(checkInt32(t.values[i]!))
      return n
    }
  }
}

const uint64sBodySize = (xs: ReadonlyArray<bigint> | undefined): number =>
  xs === undefined ? 0 : xs.reduce((n, b) => n + uint64Size(b), 0)

const tensorSize = (t: TensorLike): number =>
  packedSize(valuesBodySize(t), t.values.length) +
  packedSize(uint64sBodySize(t.keys), t.keys?.length ?? 0) +
  packedSize(uint64sBodySize(t.shape), t.shape?.length ?? 0)

const valueSize = (t: TensorLike): number => lenFieldSize(tensorSize(t))

const entrySize = (key: string, t: TensorLike): number =>
  lenFieldSize(utf8Length(key)) + lenFieldSize(valueSize(t))

const optStringSize = (s: string | undefined): number => (s === undefined ? 0 : lenFieldSize(utf8Length(s)))

/** Mutable cursor over an exactly-sized output buffer; lives only inside `encodeRecord`. */
interface Out {
  readonly buf: Uint8Array
  readonly view: DataView
  pos: number
}

const utf8Encoder = new TextEncoder()

const putVarint = (o: Out, n: number): void => {
  while (n >= 0x80) {
    o.buf[o.pos++] = (n % 128) | 0x80
    n = Math.floor(n / 128)
  }
  o.buf[o.pos++] = n
}

const putVarint64 = (o: Out, lo: number, hi: number): void => {
  while (hi !== 0 || lo >= 0x80) {
    o.buf[o.pos++] = (lo & 0x7f) | 0x80
    lo = ((lo >>> 7) | (hi << 25)) >>> 0
    hi = hi >>> 7
  }
  o.buf[o.pos++] = lo
}

const putString = (o: Out, s: string): void => {
  const len = utf8Length(s)
  putVarint(o, len)
  const { written } = utf8Encoder.encodeInto(s, o.buf.subarray(o.pos, o.pos + len))
  if (written !== len) throw new Error(`internal: UTF-8 size mismatch (${written} != ${len})`)
  o.pos += len
}

const putPackedUint64s = (o: Out, field: number, xs: ReadonlyArray<bigint> | undefined): void => {
  if (xs === undefined || xs.length === 0) return
  putVarint(o, tag(field, WT_LEN))
  putVarint(o, uint64sBodySize(xs))
  for (const b of xs) {
    const [lo, hi] = splitUint64(b)
    putVarint64(o, lo, hi)
  }
}

const putTensor = (o: Out, t: TensorLike): void => {
  const n = t.values.length
  if (n > 0) {
    putVarint(o, tag(TENSOR_VALUES, WT_LEN))
    putVarint(o, valuesBodySize(t))
    switch (t.kind) {
      case 'float32':
        for (let i = 0; i < n; i++, o.pos += 4) o.view.setFloat32(o.pos, t.values[i]!, true)
        break
      case 'float64':
        for (let i = 0; i < n; i++, o.pos += 8) o.view.setFloat64(o.pos, t.values[i]!, true)
        break
      case 'int32':
        for (let i = 0; i < n; i++) {
          const v = t.values[i]!
          putVarint64(o, v >>> 0, v < 0 ? 0xffffffff : 0)
        }
        break
    }
  }
  putPackedUint64s(o, TENSOR_KEYS, t.keys)
  putPackedUint64s(o, TENSOR_SHAPE, t.shape)
}

const putMap = (o: Out, field: number, entries: Iterable<readonly [string, TensorLike]>): void => {
  for (const [key, t] of entries) {
    putVarint(o, tag(field, WT_LEN))
    putVarint(o, entrySize(key, t))
    putVarint(o, tag(ENTRY_KEY, WT_LEN))
    putString(o, key)
    putVarint(o, tag(ENTRY_VALUE, WT_LEN))
    putVarint(o, valueSize(t))
    putVarint(o, tag(VALUE_FIELD[t.kind], WT_LEN))
    putVarint(o, tensorSize(t))
    putTensor(o, t)
  }
}

const putOptString = (o: Out, field: number, s: string | undefined): void => {
  if (s === undefined) return
  putVarint(o, tag(field, WT_LEN))
  putString(o, s)
}

const mapSize = (entries: Iterable<readonly [string, TensorLike]>): number => {
  let n = 0
  for (const [key, t] of entries) n += lenFieldSize(entrySize(key, t))
  return n
}

const encodeRecordLike = (r: RecordLike): Uint8Array => {
  const size =
    mapSize(r.features) +
    mapSize(r.label) +
    optStringSize(r.uid) +
    optStringSize(r.metadata) +
    optStringSize(r.configuration)
  const buf = new Uint8Array(size)
  const o: Out = { buf, view: new DataView(buf.buffer), pos: 0 }
  // Field-number order, as protobuf serializers emit, so output matches the Python SDK byte for byte.
  putMap(o, RECORD_FEATURES, r.features)
  putMap(o, RECORD_LABEL, r.label)
  putOptString(o, RECORD_UID, r.uid)
  putOptString(o, RECORD_METADATA, r.metadata)
  putOptString(o, RECORD_CONFIGURATION, r.configuration)
  if (o.pos !== size) throw new Error(`internal: encoded ${o.pos} bytes, sized ${size}`)
  return buf
}

/**
 * Serialize one `Record` payload (no RecordIO framing). Tensors are written
 * packed; float32 values are rounded to single precision (as a Float32Array
 * store would); empty keys/shape are omitted. Map entries keep insertion order.
 * Throws RangeError for int32 values that are not 32-bit integers or
 * keys/shape outside uint64: those are caller bugs, not data errors.
 */
export const encodeRecord = (r: ProtoRecord): Uint8Array => encodeRecordLike(r)

// ---------------------------------------------------------------------------
// Decoding. The parser signals bad input by throwing a private `Malformed`
// which the public entry points turn into `Left`; it never escapes. (Threading
// Either through every varint read would obscure the parser and slow the hot
// packed-value loops.)

class Malformed {
  constructor(
    readonly kind: RecordIoErrorKind,
    readonly offset: number,
    readonly detail: string,
  ) {}
}

/** Mutable read cursor; `lo`/`hi` hold the last varint read, avoiding an allocation per value. */
interface In {
  readonly buf: Uint8Array
  readonly view: DataView
  pos: number
  lo: number
  hi: number
}

const malformed = (kind: RecordIoErrorKind, offset: number, detail: string): never => {
  throw new Malformed(kind, offset, detail)
}

const need = (c: In, end: number, n: number, what: string): void => {
  if (end - c.pos < n) {
    malformed('truncated', c.pos, `expected ${what} (${n} bytes), only ${end - c.pos} remain`)
  }
}

/** Read a varint of up to 10 bytes into c.lo / c.hi (bits above 64 are dropped, as protobuf does). */
const readVarint = (c: In, end: number, what: string): void => {
  const start = c.pos
  let lo = 0
  let hi = 0
  for (let i = 0; i < 10; i++) {
    if (c.pos >= end) malformed('truncated', c.pos, `expected byte ${i + 1} of varint ${what} (started at byte ${start})`)
    const b = c.buf[c.pos++]!
    const bits = b & 0x7f
    if (i < 4) lo |= bits << (7 * i)
    else if (i === 4) {
      lo |= bits << 28
      hi |= bits >>> 4
    } else hi |= bits << (7 * i - 32)
    if (b < 0x80) {
      c.lo = lo >>> 0
      c.hi = hi >>> 0
      return
    }
  }
  malformed('malformed', start, `varint ${what} longer than 10 bytes`)
}

/** Read a length prefix and check it fits before `end`. Advances c.pos, so read c.pos only after calling. */
const readLength = (c: In, end: number, what: string): number => {
  const at = c.pos
  readVarint(c, end, `length of ${what}`)
  const len = c.hi * 0x100000000 + c.lo
  if (len > end - c.pos) {
    malformed('truncated', at, `length ${len} of ${what} exceeds the ${end - c.pos} bytes remaining`)
  }
  return len
}

interface Tag {
  readonly field: number
  readonly wireType: number
  readonly at: number
}

const readTag = (c: In, end: number): Tag => {
  const at = c.pos
  readVarint(c, end, 'field tag')
  const field = c.hi === 0 ? c.lo >>> 3 : -1
  if (field <= 0) malformed('malformed', at, 'invalid field number in tag')
  return { field, wireType: c.lo & 7, at }
}

const skipField = (c: In, end: number, t: Tag): void => {
  switch (t.wireType) {
    case WT_VARINT:
      readVarint(c, end, `of unknown field ${t.field}`)
      return
    case WT_FIXED64:
      need(c, end, 8, `fixed64 of unknown field ${t.field}`)
      c.pos += 8
      return
    case WT_LEN: {
      const len = readLength(c, end, `unknown field ${t.field}`) // advances c.pos: read it before adding
      c.pos += len
      return
    }
    case WT_FIXED32:
      need(c, end, 4, `fixed32 of unknown field ${t.field}`)
      c.pos += 4
      return
    case 3:
    case 4:
      return malformed('unsupported', t.at, `group wire type ${t.wireType} (field ${t.field}) is not supported`)
    default:
      return malformed('malformed', t.at, `invalid wire type ${t.wireType} (field ${t.field})`)
  }
}

// ignoreBOM: a leading U+FEFF is string content, not a byte-order mark.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

const readString = (c: In, end: number, what: string): string => {
  const len = readLength(c, end, what)
  const at = c.pos
  c.pos += len
  try {
    return utf8Decoder.decode(c.buf.subarray(at, at + len))
  } catch {
    return malformed('malformed', at, `invalid UTF-8 in ${what}`)
  }
}

interface TensorAcc {
  readonly values: number[]
  readonly keys: bigint[]
  readonly shape: bigint[]
}

const uint64Of = (c: In): bigint => (BigInt(c.hi) << 32n) | BigInt(c.lo)

const readUint64s = (c: In, end: number, t: Tag, out: bigint[], what: string): void => {
  if (t.wireType === WT_VARINT) {
    readVarint(c, end, what)
    out.push(uint64Of(c))
  } else {
    const len = readLength(c, end, `packed ${what}`)
    const stop = c.pos + len
    while (c.pos < stop) {
      readVarint(c, stop, what)
      out.push(uint64Of(c))
    }
  }
}

/**
 * End of a run of fixed-width values: a packed field (length must be a whole
 * number of elements) or a single unpacked element.
 */
const fixedRunEnd = (c: In, end: number, t: Tag, width: number, what: string): number => {
  if (t.wireType !== WT_LEN) {
    need(c, end, width, what)
    return c.pos + width
  }
  const at = c.pos
  const len = readLength(c, end, `packed ${what}s`)
  if (len % width !== 0) malformed('malformed', at, `packed ${what}s length ${len} is not a multiple of ${width}`)
  return c.pos + len
}

/** Parse one Tensor message body, appending to `acc` (repeated occurrences merge by concatenation). */
const readTensorInto = (c: In, end: number, kind: TensorKind, acc: TensorAcc): void => {
  while (c.pos < end) {
    const t = readTag(c, end)
    if (t.field === TENSOR_VALUES && kind === 'float32' && (t.wireType === WT_LEN || t.wireType === WT_FIXED32)) {
      const stop = fixedRunEnd(c, end, t, 4, 'float32 value')
      for (; c.pos < stop; c.pos += 4) acc.values.push(c.view.getFloat32(c.pos, true))
    } else if (t.field === TENSOR_VALUES && kind === 'float64' && (t.wireType === WT_LEN || t.wireType === WT_FIXED64)) {
      const stop = fixedRunEnd(c, end, t, 8, 'float64 value')
      for (; c.pos < stop; c.pos += 8) acc.values.push(c.view.getFloat64(c.pos, true))
    } else if (t.field === TENSOR_VALUES && kind === 'int32' && (t.wireType === WT_LEN || t.wireType === WT_VARINT)) {
      // int32 keeps the low 32 bits of the varint, as protobuf specifies.
      if (t.wireType === WT_VARINT) {
        readVarint(c, end, 'int32 value')
        acc.values.push(c.lo | 0)
      } else {
        const len = readLength(c, end, 'packed int32 values')
        const stop = c.pos + len
        while (c.pos < stop) {
          readVarint(c, stop, 'int32 value')
          acc.values.push(c.lo | 0)
        }
      }
    } else if ((t.field === TENSOR_KEYS || t.field === TENSOR_SHAPE) && (t.wireType === WT_LEN || t.wireType === WT_VARINT)) {
      const isKeys = t.field === TENSOR_KEYS
      readUint64s(c, end, t, isKeys ? acc.keys : acc.shape, isKeys ? 'uint64 key' : 'uint64 shape dim')
    } else {
      // Unknown field, or a known field with an unexpected wire type: protobuf treats both as unknown.
      skipField(c, end, t)
    }
  }
}

interface Range {
  readonly start: number
  readonly end: number
}

/**
 * Parse a Value given every occurrence of it (protobuf merges repeated
 * occurrences of a singular message field as if concatenated). Within the
 * oneof the last member set wins; repeats of the same member merge.
 */
const readValue = (c: In, ranges: ReadonlyArray<Range>, where: string, at: number): Tensor => {
  let kind: TensorKind | 'bytes' | undefined
  let bodies: Range[] = []
  for (const r of ranges) {
    c.pos = r.start
    while (c.pos < r.end) {
      const t = readTag(c, r.end)
      const k = t.wireType === WT_LEN ? (KIND_OF_VALUE_FIELD.get(t.field) ?? (t.field === VALUE_BYTES ? 'bytes' : undefined)) : undefined
      if (k === undefined) {
        skipField(c, r.end, t)
        continue
      }
      const len = readLength(c, r.end, `${k} tensor`)
      const body = { start: c.pos, end: c.pos + len }
      bodies = k === kind ? [...bodies, body] : [body]
      kind = k
      c.pos = body.end
    }
  }
  if (kind === undefined) return malformed('unsupported', at, `${where} has no tensor (Value sets none of its oneof fields)`)
  if (kind === 'bytes') return malformed('unsupported', at, `${where} holds a Bytes value; only float32/float64/int32 tensors are supported`)
  const acc: TensorAcc = { values: [], keys: [], shape: [] }
  for (const b of bodies) {
    c.pos = b.start
    readTensorInto(c, b.end, kind, acc)
  }
  return {
    kind,
    values: acc.values,
    ...(acc.keys.length > 0 ? { keys: acc.keys } : {}),
    ...(acc.shape.length > 0 ? { shape: acc.shape } : {}),
  }
}

/** Parse one map entry; a missing key is "" (the proto default). */
const readEntry = (c: In, end: number, mapName: string, at: number): readonly [string, Tensor] => {
  let key = ''
  const valueRanges: Range[] = []
  while (c.pos < end) {
    const t = readTag(c, end)
    if (t.field === ENTRY_KEY && t.wireType === WT_LEN) key = readString(c, end, `${mapName} map key`)
    else if (t.field === ENTRY_VALUE && t.wireType === WT_LEN) {
      const len = readLength(c, end, `${mapName} map value`)
      valueRanges.push({ start: c.pos, end: c.pos + len })
      c.pos += len
    } else skipField(c, end, t)
  }
  const value = readValue(c, valueRanges, `${mapName}[${JSON.stringify(key)}]`, at)
  c.pos = end
  return [key, value]
}

const readRecordAt = (buf: Uint8Array, start: number, end: number): ProtoRecord => {
  const c: In = { buf, view: new DataView(buf.buffer, buf.byteOffset, buf.byteLength), pos: start, lo: 0, hi: 0 }
  const features = new Map<string, Tensor>()
  const label = new Map<string, Tensor>()
  let uid: string | undefined
  let metadata: string | undefined
  let configuration: string | undefined
  while (c.pos < end) {
    const t = readTag(c, end)
    if ((t.field === RECORD_FEATURES || t.field === RECORD_LABEL) && t.wireType === WT_LEN) {
      const name = t.field === RECORD_FEATURES ? 'features' : 'label'
      const len = readLength(c, end, `${name} map entry`)
      // Duplicate keys: last one wins, as protobuf map parsing specifies.
      const [k, v] = readEntry(c, c.pos + len, name, t.at)
      ;(t.field === RECORD_FEATURES ? features : label).set(k, v)
    } else if (t.field === RECORD_UID && t.wireType === WT_LEN) uid = readString(c, end, 'uid')
    else if (t.field === RECORD_METADATA && t.wireType === WT_LEN) metadata = readString(c, end, 'metadata')
    else if (t.field === RECORD_CONFIGURATION && t.wireType === WT_LEN) configuration = readString(c, end, 'configuration')
    else skipField(c, end, t)
  }
  return {
    features,
    label,
    ...(uid !== undefined ? { uid } : {}),
    ...(metadata !== undefined ? { metadata } : {}),
    ...(configuration !== undefined ? { configuration } : {}),
  }
}

const errorOf = (m: Malformed, base: number, record?: number): RecordIoError => {
  const offset = base + m.offset
  const where = record === undefined ? `byte ${offset}` : `record ${record}, byte ${offset}`
  return {
    kind: m.kind,
    offset,
    ...(record === undefined ? {} : { record }),
    message: `${m.detail} (at ${where})`,
  }
}

const catching = <A>(f: () => A, onError: (m: Malformed) => RecordIoError): Either<RecordIoError, A> => {
  try {
    return E.right(f())
  } catch (e) {
    if (e instanceof Malformed) return E.left(onError(e))
    throw e
  }
}

/**
 * Parse one `Record` payload (no framing). Accepts packed and unpacked
 * repeated fields and skips unknown fields of wire types 0/1/2/5. Bytes
 * values and groups are reported as `unsupported`.
 */
export const decodeRecord = (bytes: Uint8Array): Either<RecordIoError, ProtoRecord> =>
  catching(
    () => readRecordAt(bytes, 0, bytes.length),
    (m) => errorOf(m, 0),
  )

// ---------------------------------------------------------------------------
// RecordIO framing

export const RECORDIO_MAGIC = 0xced7230a
const LENGTH_MASK = 0x1fffffff
const HEADER_BYTES = 8

const padded = (n: number): number => (n + 3) & ~3

/** Frame payloads as complete RecordIO records. Throws RangeError for a payload ≥ 512 MiB (29-bit length). */
export const frame = (payloads: ReadonlyArray<Uint8Array>): Uint8Array => {
  const total = payloads.reduce((n, p) => n + HEADER_BYTES + padded(p.length), 0)
  const out = new Uint8Array(total) // zero-filled, so padding needs no writes
  const view = new DataView(out.buffer)
  let pos = 0
  for (const p of payloads) {
    if (p.length > LENGTH_MASK) throw new RangeError(`RecordIO payload too large: ${p.length} bytes`)
    view.setUint32(pos, RECORDIO_MAGIC, true)
    view.setUint32(pos + 4, p.length, true) // continuation flag 0: complete record
    out.set(p, pos + HEADER_BYTES)
    pos += HEADER_BYTES + padded(p.length)
  }
  return out
}

interface Framed {
  readonly offset: number
  readonly payload: Uint8Array
}

const unframeWithOffsets = (bytes: Uint8Array): Either<RecordIoError, Framed[]> => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out: Framed[] = []
  const fail = (kind: RecordIoErrorKind, offset: number, detail: string): Either<RecordIoError, Framed[]> =>
    E.left({ kind, offset, record: out.length, message: `${detail} (at record ${out.length}, byte ${offset})` })
  let pos = 0
  while (pos < bytes.length) {
    const remaining = bytes.length - pos
    if (remaining < HEADER_BYTES) return fail('truncated', pos, `expected an 8-byte RecordIO header, only ${remaining} bytes remain`)
    const magic = view.getUint32(pos, true)
    if (magic !== RECORDIO_MAGIC) {
      return fail('bad-magic', pos, `expected RecordIO magic 0x${RECORDIO_MAGIC.toString(16)}, found 0x${magic.toString(16).padStart(8, '0')}`)
    }
    const word = view.getUint32(pos + 4, true)
    const cflag = word >>> 29
    if (cflag !== 0) return fail('continuation', pos + 4, `RecordIO continuation flag ${cflag} set; multi-part records are not supported`)
    const length = word & LENGTH_MASK
    const start = pos + HEADER_BYTES
    const available = bytes.length - start
    if (length > available) return fail('truncated', start, `expected a ${length}-byte payload, only ${available} bytes remain`)
    if (padded(length) > available) {
      return fail('truncated', start + length, `expected ${padded(length) - length} padding bytes, only ${available - length} remain`)
    }
    out.push({ offset: start, payload: bytes.subarray(start, start + length) })
    pos = start + padded(length)
  }
  return E.right(out)
}

/**
 * Split a RecordIO stream into payloads (views into `bytes`, not copies).
 * Padding contents are not checked; missing padding is `truncated`.
 */
export const unframe = (bytes: Uint8Array): Either<RecordIoError, Uint8Array[]> =>
  E.map((fs: Framed[]) => fs.map((f) => f.payload))(unframeWithOffsets(bytes))

/** Unframe and decode every record; error offsets are relative to `bytes`. */
export const readRecords = (bytes: Uint8Array): Either<RecordIoError, ProtoRecord[]> =>
  E.flatMap(unframeWithOffsets(bytes), (framed) => {
    const records: ProtoRecord[] = []
    for (const [i, f] of framed.entries()) {
      // Parse in place so error offsets are absolute within `bytes`.
      const r = catching(
        () => readRecordAt(bytes, f.offset, f.offset + f.payload.length),
        (m) => errorOf(m, 0, i),
      )
      if (E.isLeft(r)) return r
      records.push(r.right)
    }
    return E.right(records)
  })

// ---------------------------------------------------------------------------
// Dense matrices, as the SageMaker Python SDK's write_numpy_to_dense_tensor

const kindOf = (a: DenseArray): TensorKind =>
  a instanceof Float32Array ? 'float32' : a instanceof Float64Array ? 'float64' : 'int32'

/** Shape checks shared by the throwing writer and the Either-returning sharder. */
const matrixProblem = (m: DenseMatrix, labels: DenseArray | undefined): string | undefined => {
  if (!Number.isSafeInteger(m.rows) || m.rows < 0 || !Number.isSafeInteger(m.cols) || m.cols < 0) {
    return `matrix rows/cols must be non-negative integers, got ${m.rows}x${m.cols}`
  }
  if (m.values.length !== m.rows * m.cols) return `matrix values length ${m.values.length} != rows*cols = ${m.rows * m.cols}`
  if (labels !== undefined && labels.length !== m.rows) return `labels length ${labels.length} != rows ${m.rows}`
  return undefined
}

const encodeRows = (m: DenseMatrix, labels: DenseArray | undefined, from: number, to: number): Uint8Array => {
  const kind = kindOf(m.values)
  const labelKind = labels === undefined ? undefined : kindOf(labels)
  const payloads: Uint8Array[] = []
  for (let row = from; row < to; row++) {
    // Dense rows carry values only (no keys/shape), exactly as the SDK writes them.
    const features: TensorLike = { kind, values: m.values.subarray(row * m.cols, (row + 1) * m.cols) }
    const label: ReadonlyArray<readonly [string, TensorLike]> =
      labels === undefined || labelKind === undefined ? [] : [['values', { kind: labelKind, values: labels.subarray(row, row + 1) }]]
    payloads.push(encodeRecordLike({ features: [['values', features]], label }))
  }
  return frame(payloads)
}

/**
 * One framed record per matrix row: `features["values"]` is the row, and
 * `label["values"]` a 1-element tensor when labels are given. The tensor kind
 * follows the array type (Float32Array → float32, Float64Array → float64,
 * Int32Array → int32), independently for features and labels.
 * Throws RangeError if the shapes disagree (a caller bug).
 */
export const writeDenseMatrix = (matrix: DenseMatrix, labels?: DenseArray): Uint8Array => {
  const problem = matrixProblem(matrix, labels)
  if (problem !== undefined) throw new RangeError(problem)
  return encodeRows(matrix, labels, 0, matrix.rows)
}

// ---------------------------------------------------------------------------
// Sharding, manifests and upload plans (RecordSet)

export interface Shard {
  readonly index: number
  /** First matrix row in this shard. */
  readonly firstRow: number
  readonly rows: number
  /** Framed RecordIO-protobuf bytes of this shard's rows. */
  readonly bytes: Uint8Array
}

export interface Shards {
  readonly numRecords: number
  readonly featureDim: number
  readonly shards: ReadonlyArray<Shard>
}

/**
 * Row counts for splitting `rows` into `count` contiguous shards, balanced like
 * numpy's array_split: the first `rows % count` shards get one extra row, so
 * sizes differ by at most one.
 *
 * The Python SDK's `_build_shards` instead gives every shard floor(rows/count)
 * rows and puts the whole remainder in the last one (e.g. 11 rows over 4
 * instances → 2,2,2,5); we balance deliberately, since under ShardedByS3Key
 * the largest shard sets the pace of distributed training. Like the SDK we
 * refuse fewer rows than shards: an instance with an empty shard has no data.
 */
export const shardSizes = (rows: number, count: number): number[] => {
  const base = Math.floor(rows / count)
  const extra = rows % count
  return Array.from({ length: count }, (_, i) => base + (i < extra ? 1 : 0))
}

const invalid = (message: string): RecordIoError => ({ kind: 'invalid-argument', message })

/** Encode `matrix` (and optional per-row `labels`) as `instanceCount` contiguous shards; see `shardSizes`. */
export const shard = (matrix: DenseMatrix, labels: DenseArray | undefined, instanceCount: number): Either<RecordIoError, Shards> => {
  const problem = matrixProblem(matrix, labels)
  if (problem !== undefined) return E.left(invalid(problem))
  if (!Number.isSafeInteger(instanceCount) || instanceCount < 1) {
    return E.left(invalid(`instanceCount must be a positive integer, got ${instanceCount}`))
  }
  if (matrix.rows < instanceCount) {
    return E.left(invalid(`${matrix.rows} rows cannot fill ${instanceCount} shards (each instance needs at least one row)`))
  }
  const sizes = shardSizes(matrix.rows, instanceCount)
  let next = 0
  const firstRows = sizes.map((n) => {
    const first = next
    next += n
    return first
  })
  return E.right({
    numRecords: matrix.rows,
    featureDim: matrix.cols,
    shards: sizes.map((rows, index) => {
      const firstRow = firstRows[index]!
      return { index, firstRow, rows, bytes: encodeRows(matrix, labels, firstRow, firstRow + rows) }
    }),
  })
}

/** Python json.dumps string quoting (ensure_ascii), so manifests match the SDK's byte for byte. */
const pyJsonString = (s: string): string => {
  const escapes: { readonly [c: string]: string } = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' }
  let out = '"'
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!
    const code = s.charCodeAt(i)
    out += escapes[ch] ?? (code < 0x20 || code > 0x7e ? `\\u${code.toString(16).padStart(4, '0')}` : ch)
  }
  return out + '"'
}

/**
 * The `.amazon.manifest` body: `[{"prefix": "<prefixUri>"}, "<file>", ...]`
 * formatted as Python's json.dumps does. Throws RangeError if `prefixUri`
 * does not end with "/" (file names are appended to it verbatim).
 */
export const manifest = (prefixUri: string, fileNames: ReadonlyArray<string>): string => {
  if (!prefixUri.endsWith('/')) throw new RangeError(`manifest prefix must end with "/": ${prefixUri}`)
  return `[${[`{"prefix": ${pyJsonString(prefixUri)}}`, ...fileNames.map(pyJsonString)].join(', ')}]`
}

/** The SDK's file names: matrix_<i>.pbr, index zero-padded to the width of the shard count. */
export const shardFileName = (index: number, count: number): string =>
  `matrix_${String(index).padStart(String(count).length, '0')}.pbr`

export interface UploadObject {
  readonly bucket: string
  readonly key: string
  readonly uri: string
  readonly bytes: Uint8Array
}

export interface RecordSetChannel {
  /** S3 URI of the manifest. */
  readonly uri: string
  readonly s3DataType: 'ManifestFile'
  readonly distribution: 'ShardedByS3Key'
  readonly numRecords: number
  readonly featureDim: number
}

export interface RecordSetPlan {
  /** Content-addressed directory name under the data location. */
  readonly stem: string
  readonly objects: ReadonlyArray<UploadObject>
  readonly manifest: UploadObject & { readonly body: string }
  readonly channel: RecordSetChannel
}

const S3_PREFIX = /^s3:\/\/([^/]+)\/(.*)$/s

/**
 * First 16 hex chars of sha256 over the shard list. Each shard is prefixed by
 * its 8-byte LE length so the hash depends on shard boundaries too — the same
 * rows split differently must not reuse (and overwrite) the same keys.
 */
const contentStem = (shards: ReadonlyArray<Shard>): string => {
  const h = createHash('sha256')
  for (const s of shards) {
    const len = new Uint8Array(8)
    new DataView(len.buffer).setBigUint64(0, BigInt(s.bytes.length), true)
    h.update(len).update(s.bytes)
  }
  return h.digest('hex').slice(0, 16)
}

/**
 * Describe (not perform) the uploads for a RecordSet, mirroring the SDK's
 * `upload_numpy_to_s3_shards`: `<dataLocation><stem>/matrix_<i>.pbr` per
 * shard plus `<dataLocation><stem>/.amazon.manifest`, and the channel that
 * points training at that manifest with ShardedByS3Key distribution.
 * The stem is content-addressed, so re-planning the same data is idempotent.
 */
export const recordSetPlan = (dataLocation: string, shards: Shards): Either<RecordIoError, RecordSetPlan> => {
  const m = S3_PREFIX.exec(dataLocation)
  if (m === null || !dataLocation.endsWith('/')) {
    return E.left(invalid(`data location must be an s3://bucket/prefix/ URI ending in "/", got ${JSON.stringify(dataLocation)}`))
  }
  if (shards.shards.length === 0) return E.left(invalid('a RecordSet needs at least one shard'))
  const bucket = m[1]!
  const stem = contentStem(shards.shards)
  const keyPrefix = `${m[2]!}${stem}/`
  const prefixUri = `s3://${bucket}/${keyPrefix}`
  const object = (name: string, bytes: Uint8Array): UploadObject => ({ bucket, key: keyPrefix + name, uri: prefixUri + name, bytes })
  const names = shards.shards.map((s) => shardFileName(s.index, shards.shards.length))
  const body = manifest(prefixUri, names)
  const manifestObject = { ...object('.amazon.manifest', utf8Encoder.encode(body)), body }
  return E.right({
    stem,
    objects: shards.shards.map((s, i) => object(names[i]!, s.bytes)),
    manifest: manifestObject,
    channel: {
      uri: manifestObject.uri,
      s3DataType: 'ManifestFile',
      distribution: 'ShardedByS3Key',
      numRecords: shards.numRecords,
      featureDim: shards.featureDim,
    },
  })
}
