import { createHash } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import type { Either } from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeRecord,
  encodeRecord,
  frame,
  manifest,
  readRecords,
  recordSetPlan,
  shard,
  shardFileName,
  shardSizes,
  unframe,
  writeDenseMatrix,
} from '../../src/frameworks/recordio.js'
import type { DenseArray, ProtoRecord, RecordIoError, Shards, Tensor, TensorKind } from '../../src/frameworks/recordio.js'

/** Hex fixture → bytes. On each line, text after `|` is a comment. */
const hex = (s: string): Uint8Array => {
  const digits = s
    .split('\n')
    .map((line) => line.split('|')[0]!.replace(/\s/g, ''))
    .join('')
  if (!/^([0-9a-f]{2})*$/i.test(digits)) throw new Error(`bad hex fixture: ${digits}`)
  return Uint8Array.from(Buffer.from(digits, 'hex'))
}
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

const right = <A>(e: Either<RecordIoError, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got Left: ${e.left.message}`)
  return e.right
}
const left = <A>(e: Either<RecordIoError, A>): RecordIoError => {
  if (E.isRight(e)) throw new Error('expected Left, got Right')
  return e.left
}

const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  parts.reduce((pos, p) => (out.set(p, pos), pos + p.length), 0)
  return out
}

// "values" in UTF-8
const VALUES = '76 61 6c 75 65 73'

describe('byte-level fixtures (derived by hand from the format definition)', () => {
  it('float32 row [1.5, -2] with float32 label 1; 44-byte payload needs no padding', () => {
    const expected = hex(`
      0a 23 d7 ce                 | RecordIO magic 0xced7230a, little-endian
      2c 00 00 00                 | header word: length 44, continuation bits 0
      0a 16                       | Record.features (field 1, wire type 2), 22 bytes
        0a 06 ${VALUES}           |   entry key (field 1, LEN 6) "values"
        12 0c                     |   entry value (field 2, LEN 12)
          12 0a                   |     Value.float32_tensor (field 2, LEN 10)
            0a 08                 |       values (field 1, packed, 8 bytes)
              00 00 c0 3f         |         1.5f  = 0x3fc00000
              00 00 00 c0         |         -2.0f = 0xc0000000
      12 12                       | Record.label (field 2, wire type 2), 18 bytes
        0a 06 ${VALUES}           |   entry key "values"
        12 08                     |   entry value, 8 bytes
          12 06                   |     Value.float32_tensor, 6 bytes
            0a 04 00 00 80 3f     |       values packed: 1.0f = 0x3f800000
                                  | 2+22+2+18 = 44 ≡ 0 mod 4: no padding bytes
    `)
    const actual = writeDenseMatrix({ rows: 1, cols: 2, values: Float32Array.of(1.5, -2) }, Float32Array.of(1))
    expect(toHex(actual)).toBe(toHex(expected))
    const [record] = right(readRecords(expected))
    expect(record).toEqual({
      features: new Map([['values', { kind: 'float32', values: [1.5, -2] }]]),
      label: new Map([['values', { kind: 'float32', values: [1] }]]),
    })
  })

  it('int32 row [1, -1, 300] without labels; 29-byte payload padded by 3', () => {
    const expected = hex(`
      0a 23 d7 ce                 | magic
      1d 00 00 00                 | length 29
      0a 1b                       | Record.features, 27 bytes
        0a 06 ${VALUES}           |   key "values"
        12 11                     |   value, 17 bytes
          3a 0f                   |     Value.int32_tensor (field 7 → tag 7<<3|2 = 0x3a), 15 bytes
            0a 0d                 |       values packed, 13 bytes
              01                  |         1
              ff ff ff ff ff      |         -1: int32 is sign-extended to 64 bits,
              ff ff ff ff 01      |             so the varint takes 10 bytes
              ac 02               |         300 = 0b10_0101100 → 0xac 0x02
      00 00 00                    | padding 29 → 32
    `)
    expect(toHex(writeDenseMatrix({ rows: 1, cols: 3, values: Int32Array.of(1, -1, 300) }))).toBe(toHex(expected))
    expect(right(readRecords(expected))[0]?.features.get('values')).toEqual({ kind: 'int32', values: [1, -1, 300] })
  })

  it('float64 row [0.1] with int32 label 7; 41-byte payload padded by 3', () => {
    const expected = hex(`
      0a 23 d7 ce                 | magic
      29 00 00 00                 | length 41
      0a 16                       | Record.features, 22 bytes
        0a 06 ${VALUES}           |   key "values"
        12 0c                     |   value, 12 bytes
          1a 0a                   |     Value.float64_tensor (field 3 → 0x1a), 10 bytes
            0a 08                 |       values packed, 8 bytes
              9a 99 99 99 99 99 b9 3f |     0.1 = 0x3fb999999999999a
      12 0f                       | Record.label, 15 bytes
        0a 06 ${VALUES}           |   key "values"
        12 05                     |   value, 5 bytes
          3a 03                   |     Value.int32_tensor, 3 bytes
            0a 01 07              |       values packed: 7
      00 00 00                    | padding 41 → 44
    `)
    const actual = writeDenseMatrix({ rows: 1, cols: 1, values: Float64Array.of(0.1) }, Int32Array.of(7))
    expect(toHex(actual)).toBe(toHex(expected))
  })

  it('float64 row [0.1] without labels; 24-byte payload, no padding', () => {
    const expected = hex(`
      0a 23 d7 ce 18 00 00 00      | magic, length 24
      0a 16 0a 06 ${VALUES} 12 0c  | features entry "values", value 12 bytes
      1a 0a 0a 08 9a 99 99 99 99 99 b9 3f | float64_tensor { values: [0.1] }
    `)
    expect(toHex(writeDenseMatrix({ rows: 1, cols: 1, values: Float64Array.of(0.1) }))).toBe(toHex(expected))
  })

  it('two rows are two consecutive frames', () => {
    const one = writeDenseMatrix({ rows: 1, cols: 1, values: Int32Array.of(5) })
    const two = writeDenseMatrix({ rows: 1, cols: 1, values: Int32Array.of(6) })
    expect(toHex(writeDenseMatrix({ rows: 2, cols: 1, values: Int32Array.of(5, 6) }))).toBe(toHex(concat([one, two])))
  })

  it('encodeRecord: sparse tensor with keys/shape, a uid and a 64-bit key', () => {
    const record: ProtoRecord = {
      features: new Map<string, Tensor>([['values', { kind: 'float32', values: [2], keys: [3n, 1n << 63n], shape: [10n] }]]),
      label: new Map(),
      uid: 'a',
    }
    const expected = hex(`
      0a 22                       | Record.features, 34 bytes
        0a 06 ${VALUES}           |   key "values"
        12 18                     |   value, 24 bytes
          12 16                   |     float32_tensor, 22 bytes
            0a 04 00 00 00 40     |       values packed [2.0f]
            12 0b                 |       keys packed (field 2), 11 bytes
              03                  |         3
              80 80 80 80 80 80 80 80 80 01 | 2^63: nine 7-bit groups of 0, then bit 63
            1a 01 0a              |       shape packed (field 3) [10]
      1a 01 61                    | Record.uid (field 3) "a"
    `)
    expect(toHex(encodeRecord(record))).toBe(toHex(expected))
    expect(right(decodeRecord(expected))).toEqual(record)
  })
})

describe('decoder robustness (hand-built bytes)', () => {
  it('accepts unpacked and mixed repeated fields and skips unknown fields of every wire type', () => {
    const tensor = `
      0d 00 00 80 3f              | values (field 1, wire type 5, unpacked) 1.0f
      20 05                       | unknown field 4, varint
      0d 00 00 00 40              | values unpacked 2.0f
      0a 04 00 00 40 40           | values packed [3.0f]: packed and unpacked may mix
      10 07                       | keys (field 2) unpacked varint 7
      12 01 08                    | keys packed [8]
      18 02                       | shape (field 3) unpacked 2
      19 01 02 03 04 05 06 07 08  | shape field with wire type 1: wrong type, skipped as unknown
    ` // 5+2+5+6+2+3+2+9 = 34 = 0x22
    const value = `08 01 | unknown Value field 1, varint
      12 22 ${tensor}` // 2+2+34 = 38 = 0x26
    const entry = `0a 01 78 | key "x"
      12 26 ${value}` // 3+2+38 = 43 = 0x2b
    const payload = hex(`
      78 96 01                    | unknown field 15, varint 150
      0a 2b ${entry}              | features entry
      71 01 02 03 04 05 06 07 08  | unknown field 14, fixed64
      6d 01 02 03 04              | unknown field 13, fixed32
      62 02 ab cd                 | unknown field 12, length-delimited
      f8 ff ff ff 0f 00           | unknown field 2^29-1 (max field number), varint 0
    `)
    expect(right(decodeRecord(payload))).toEqual({
      features: new Map([['x', { kind: 'float32', values: [1, 2, 3], keys: [7n, 8n], shape: [2n] }]]),
      label: new Map(),
    })
  })

  it('decodes unpacked int32 (keeping the low 32 bits) and unpacked float64', () => {
    const payload = hex(`
      12 12 0a 01 79 12 0d        | label entry "y", value 13 bytes
        3a 0b                     |   int32_tensor, 11 bytes
          08 7f                   |     values unpacked 127
          08 ff ff ff ff 0f       |     0xffffffff as a 5-byte varint → int32 -1
          08 80 01                |     128
      12 12 0a 01 7a 12 0d        | label entry "z", value 13 bytes
        1a 0b                     |   float64_tensor, 11 bytes
          09 00 00 00 00 00 00 f8 3f | values unpacked (wire type 1) 1.5
          20 00                   |     unknown field 4
    `)
    const r = right(decodeRecord(payload))
    expect(r.label.get('y')).toEqual({ kind: 'int32', values: [127, -1, 128] })
    expect(r.label.get('z')).toEqual({ kind: 'float64', values: [1.5] })
  })

  it('merges repeated Value occurrences and lets the last oneof member win', () => {
    const payload = hex(`
      0a 11 0a 01 61              | features entry "a", 17 bytes
        12 05 3a 03 0a 01 01      |   value: int32_tensor [1]
        12 05 3a 03 0a 01 02      |   value again: same member merges → [1, 2]
      0a 12 0a 01 62              | features entry "b", 18 bytes
        12 0d                     |   value, 13 bytes
          3a 03 0a 01 09          |     int32_tensor [9]
          12 06 0a 04 00 00 80 3f |     float32_tensor [1.0]: a different member replaces it
      0a 07 0a 01 61 12 02 3a 00  | "a" again: duplicate map key, last wins (empty int32 tensor)
      22 02 6d 64 2a 00           | metadata "md", configuration ""
    `)
    const r = right(decodeRecord(payload))
    expect([...r.features.entries()]).toEqual([
      ['a', { kind: 'int32', values: [] }],
      ['b', { kind: 'float32', values: [1] }],
    ])
    expect(r.metadata).toBe('md')
    expect(r.configuration).toBe('')
    expect(r.uid).toBeUndefined()
  })

  it('reports truncation with the offset and what was expected', () => {
    // features entry claims 22 bytes but only 3 follow
    expect(left(decodeRecord(hex('0a 16 0a 06 76')))).toEqual({
      kind: 'truncated',
      offset: 1,
      message: 'length 22 of features map entry exceeds the 3 bytes remaining (at byte 1)',
    })
    // packed float32 values inside a tensor: 4 declared, payload ends after 2
    const e = left(decodeRecord(hex('0a 0a 0a 00 12 06 12 04 0a 04 00 00')))
    expect(e.kind).toBe('truncated')
    expect(e.offset).toBe(9)
    // unterminated varint
    expect(left(decodeRecord(hex('78 96')))).toMatchObject({ kind: 'truncated', offset: 2 })
    // unpacked fixed32 missing bytes
    expect(left(decodeRecord(hex('0a 09 0a 00 12 05 12 03 0d 00 00')))).toMatchObject({
      kind: 'truncated',
      offset: 9,
      message: expect.stringContaining('float32 value'),
    })
  })

  it('rejects malformed and unsupported input', () => {
    expect(left(decodeRecord(hex('00 00'))).kind).toBe('malformed') // field number 0
    expect(left(decodeRecord(hex('0f'))).kind).toBe('malformed') // wire type 7
    expect(left(decodeRecord(hex('0b 0c'))).kind).toBe('unsupported') // group (wire type 3)
    expect(left(decodeRecord(hex('ff ff ff ff ff ff ff ff ff ff 01'))).message).toContain('longer than 10 bytes')
    // packed float32 of 3 bytes
    expect(left(decodeRecord(hex('0a 0b 0a 00 12 07 12 05 0a 03 00 00 00'))).message).toContain('not a multiple of 4')
    // invalid UTF-8 in the map key
    expect(left(decodeRecord(hex('0a 03 0a 01 ff'))).message).toContain('invalid UTF-8')
    // Value holding Bytes (field 9) is not representable as a Tensor
    expect(left(decodeRecord(hex('0a 0b 0a 01 62 12 06 4a 04 0a 02 68 69')))).toMatchObject({
      kind: 'unsupported',
      message: expect.stringContaining('features["b"] holds a Bytes value'),
    })
    // map entry without a value
    expect(left(decodeRecord(hex('12 03 0a 01 62'))).message).toContain('label["b"] has no tensor')
  })

  it('accepts an empty payload as an empty record', () => {
    expect(right(decodeRecord(new Uint8Array()))).toEqual({ features: new Map(), label: new Map() })
  })

  it('decodes SageMaker-style prediction records', () => {
    const prediction: ProtoRecord = {
      features: new Map(),
      label: new Map<string, Tensor>([
        ['closest_cluster', { kind: 'float32', values: [3] }],
        ['distance_to_cluster', { kind: 'float32', values: [Math.fround(0.25)] }],
      ]),
    }
    const stream = frame([encodeRecord(prediction), encodeRecord(prediction)])
    expect(right(readRecords(stream))).toEqual([prediction, prediction])
  })
})

describe('RecordIO framing', () => {
  it('rejects bad magic, continuation bits and truncation with byte offsets', () => {
    const good = frame([hex('01 02 03'), hex('04')])
    expect(toHex(good)).toBe('0a23d7ce03000000010203000a23d7ce0100000004000000')

    const badMagic = good.slice()
    badMagic[12] = 0x0b
    expect(left(unframe(badMagic))).toEqual({
      kind: 'bad-magic',
      offset: 12,
      record: 1,
      message: 'expected RecordIO magic 0xced7230a, found 0xced7230b (at record 1, byte 12)',
    })

    const continued = good.slice()
    continued[7] = 0x20 // cflag = 1
    expect(left(unframe(continued))).toMatchObject({ kind: 'continuation', offset: 4, record: 0 })

    expect(left(unframe(good.subarray(0, 10)))).toMatchObject({ kind: 'truncated', offset: 8 })
    expect(left(unframe(good.subarray(0, 11))).message).toContain('padding')
    expect(left(unframe(good.subarray(0, 15)))).toMatchObject({ kind: 'truncated', offset: 12, record: 1 })
    expect(right(unframe(new Uint8Array()))).toEqual([])
  })

  it('readRecords reports decode errors with record index and absolute offset', () => {
    const stream = frame([encodeRecord({ features: new Map(), label: new Map(), uid: 'x' }), hex('0a 05 0a 01')])
    expect(left(readRecords(stream))).toMatchObject({ kind: 'truncated', record: 1, offset: 12 + 8 + 1 })
  })

  it('frame/unframe round trip', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }), (payloads) => {
        const framed = frame(payloads)
        expect(framed.length % 4).toBe(0)
        expect(right(unframe(framed)).map((p) => [...p])).toEqual(payloads.map((p) => [...p]))
      }),
    )
  })
})

// ---------------------------------------------------------------------------
// Property-based round trips

const kindArb: fc.Arbitrary<TensorKind> = fc.constantFrom('float32', 'float64', 'int32')

const valuesArb = (kind: TensorKind, maxLength = 12): fc.Arbitrary<number[]> =>
  kind === 'float32'
    ? fc.array(fc.float(), { maxLength }) // float32-representable, incl. NaN, ±0, ±Infinity
    : kind === 'float64'
      ? fc.array(fc.double(), { maxLength })
      : fc.array(fc.integer({ min: -0x80000000, max: 0x7fffffff }), { maxLength })

const uint64sArb = fc.option(fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { minLength: 1, maxLength: 6 }), { nil: undefined })

const tensorArb: fc.Arbitrary<Tensor> = kindArb.chain((kind) =>
  fc.record({ values: valuesArb(kind), keys: uint64sArb, shape: uint64sArb }).map(({ values, keys, shape }) => ({
    kind,
    values,
    ...(keys === undefined ? {} : { keys }),
    ...(shape === undefined ? {} : { shape }),
  })),
)

const textArb = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }))

const mapArb = fc
  .uniqueArray(fc.tuple(textArb, tensorArb), { selector: ([k]) => k, maxLength: 4 })
  .map((entries) => new Map(entries))

const optText = fc.option(textArb, { nil: undefined })

const recordArb: fc.Arbitrary<ProtoRecord> = fc
  .record({ features: mapArb, label: mapArb, uid: optText, metadata: optText, configuration: optText })
  .map(({ features, label, uid, metadata, configuration }) => ({
    features,
    label,
    ...(uid === undefined ? {} : { uid }),
    ...(metadata === undefined ? {} : { metadata }),
    ...(configuration === undefined ? {} : { configuration }),
  }))

const typed = (kind: TensorKind, xs: ReadonlyArray<number>): DenseArray =>
  kind === 'float32' ? Float32Array.from(xs) : kind === 'float64' ? Float64Array.from(xs) : Int32Array.from(xs)

const expectedValue = (kind: TensorKind, x: number): number => (kind === 'float32' ? Math.fround(x) : x)

interface MatrixCase {
  readonly rows: number
  readonly cols: number
  readonly kind: TensorKind
  readonly values: number[]
  readonly labels?: { readonly kind: TensorKind; readonly values: number[] }
}

const sourceValues = (kind: TensorKind, n: number): fc.Arbitrary<number[]> =>
  // float32 sources are arbitrary doubles so the writer's narrowing is exercised
  fc.array(kind === 'int32' ? fc.integer({ min: -0x80000000, max: 0x7fffffff }) : fc.double(), { minLength: n, maxLength: n })

const matrixArb = (minRows = 0): fc.Arbitrary<MatrixCase> =>
  fc
    .record({ rows: fc.integer({ min: minRows, max: 16 }), cols: fc.integer({ min: 0, max: 6 }), kind: kindArb, labelKind: fc.option(kindArb, { nil: undefined }) })
    .chain(({ rows, cols, kind, labelKind }) =>
      fc
        .record({
          values: sourceValues(kind, rows * cols),
          labels: labelKind === undefined ? fc.constant(undefined) : sourceValues(labelKind, rows),
        })
        .map(({ values, labels }) => ({
          rows,
          cols,
          kind,
          values,
          ...(labels === undefined || labelKind === undefined ? {} : { labels: { kind: labelKind, values: labels } }),
        })),
    )

const toMatrix = (m: MatrixCase) => ({ rows: m.rows, cols: m.cols, values: typed(m.kind, m.values) })
const toLabels = (m: MatrixCase) => (m.labels === undefined ? undefined : typed(m.labels.kind, m.labels.values))

describe('round-trip properties', () => {
  it('encodeRecord → decodeRecord is the identity on arbitrary records', () => {
    fc.assert(
      fc.property(recordArb, (record) => {
        expect(right(decodeRecord(encodeRecord(record)))).toEqual(record)
      }),
      { numRuns: 300 },
    )
  })

  it('readRecords(frame(records)) returns the records', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 5 }), (records) => {
        expect(right(readRecords(frame(records.map(encodeRecord))))).toEqual(records)
      }),
      { numRuns: 100 },
    )
  })

  it('writeDenseMatrix → readRecords gives back rows and labels', () => {
    fc.assert(
      fc.property(matrixArb(), (m) => {
        const records = right(readRecords(writeDenseMatrix(toMatrix(m), toLabels(m))))
        expect(records).toHaveLength(m.rows)
        records.forEach((r, i) => {
          const row = m.values.slice(i * m.cols, (i + 1) * m.cols).map((x) => expectedValue(m.kind, x))
          expect([...r.features.keys()]).toEqual(['values'])
          expect(r.features.get('values')).toEqual({ kind: m.kind, values: row })
          const { labels } = m
          if (labels === undefined) expect(r.label.size).toBe(0)
          else expect(r.label.get('values')).toEqual({ kind: labels.kind, values: [expectedValue(labels.kind, labels.values[i]!)] })
        })
      }),
    )
  })

  it('appending unknown fields of any skippable wire type does not change the decoding', () => {
    const varint = (n: bigint): number[] => {
      const out: number[] = []
      for (; n >= 0x80n; n >>= 7n) out.push(Number(n & 0x7fn) | 0x80)
      return [...out, Number(n)]
    }
    const unknownField = fc
      .record({
        field: fc.integer({ min: 6, max: (1 << 29) - 1 }), // Record uses 1-5
        wireType: fc.constantFrom(0, 1, 2, 5),
        n: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        body: fc.uint8Array({ maxLength: 12 }),
      })
      .map(({ field, wireType, n, body }) => {
        const tagBytes = varint((BigInt(field) << 3n) | BigInt(wireType))
        const payload =
          wireType === 0 ? varint(n) : wireType === 1 ? [...new Uint8Array(8).fill(7)] : wireType === 5 ? [1, 2, 3, 4] : [...varint(BigInt(body.length)), ...body]
        return Uint8Array.from([...tagBytes, ...payload])
      })
    fc.assert(
      fc.property(recordArb, fc.array(unknownField, { maxLength: 4 }), (record, extras) => {
        expect(right(decodeRecord(concat([encodeRecord(record), ...extras])))).toEqual(record)
      }),
      { numRuns: 200 },
    )
  })

  it('a truncated single-record stream is always Left(truncated)', () => {
    fc.assert(
      fc.property(recordArb, fc.nat(), (record, cut) => {
        const stream = frame([encodeRecord(record)])
        const at = 1 + (cut % (stream.length - 1))
        expect(left(readRecords(stream.subarray(0, at))).kind).toBe('truncated')
      }),
    )
  })

  it('corrupted or random bytes never make the decoders throw', () => {
    fc.assert(
      fc.property(recordArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (record, edits) => {
        const payload = encodeRecord(record).slice()
        if (payload.length === 0) return
        for (const [i, b] of edits) payload[i % payload.length] = b
        expect(() => decodeRecord(payload)).not.toThrow()
        expect(() => readRecords(frame([payload]))).not.toThrow()
      }),
      { numRuns: 500 },
    )
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(() => decodeRecord(bytes)).not.toThrow()
        expect(() => readRecords(bytes)).not.toThrow()
        expect(() => readRecords(frame([bytes]))).not.toThrow()
      }),
      { numRuns: 500 },
    )
  })
})

describe('sharding', () => {
  it('balances like np.array_split: first rows % n shards get one extra row', () => {
    expect(shardSizes(11, 4)).toEqual([3, 3, 3, 2])
    expect(shardSizes(8, 4)).toEqual([2, 2, 2, 2])
    expect(shardSizes(3, 3)).toEqual([1, 1, 1])
  })

  it('shard sizes sum to rows, differ by at most 1, and concatenate back to the whole matrix', () => {
    fc.assert(
      fc.property(matrixArb(1), fc.integer({ min: 1, max: 16 }), (m, wanted) => {
        const n = Math.min(wanted, m.rows)
        const result = right(shard(toMatrix(m), toLabels(m), n))
        const sizes = result.shards.map((s) => s.rows)
        expect(result.shards).toHaveLength(n)
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(m.rows)
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
        expect(result.shards.map((s) => s.firstRow)).toEqual(sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0)))
        expect(result.shards.map((s) => right(readRecords(s.bytes)).length)).toEqual(sizes)
        expect(toHex(concat(result.shards.map((s) => s.bytes)))).toBe(toHex(writeDenseMatrix(toMatrix(m), toLabels(m))))
        expect(result.numRecords).toBe(m.rows)
        expect(result.featureDim).toBe(m.cols)
      }),
      { numRuns: 100 },
    )
  })

  it('rejects bad instance counts and shapes as values', () => {
    const matrix = { rows: 2, cols: 1, values: Float32Array.of(1, 2) }
    expect(left(shard(matrix, undefined, 3))).toMatchObject({ kind: 'invalid-argument', message: expect.stringContaining('2 rows cannot fill 3 shards') })
    expect(left(shard(matrix, undefined, 0)).kind).toBe('invalid-argument')
    expect(left(shard(matrix, undefined, 1.5)).kind).toBe('invalid-argument')
    expect(left(shard(matrix, Float32Array.of(1), 1)).message).toContain('labels length 1 != rows 2')
    expect(left(shard({ rows: 2, cols: 2, values: Float32Array.of(1) }, undefined, 1)).message).toContain('rows*cols')
    expect(() => writeDenseMatrix({ rows: 2, cols: 2, values: Float32Array.of(1) })).toThrow(RangeError)
  })
})

describe('manifest and RecordSet plan', () => {
  it('formats the manifest exactly as the SDK (Python json.dumps)', () => {
    expect(manifest('s3://b/p/', ['matrix_0.pbr', 'matrix_1.pbr'])).toBe('[{"prefix": "s3://b/p/"}, "matrix_0.pbr", "matrix_1.pbr"]')
    expect(manifest('s3://b/', [])).toBe('[{"prefix": "s3://b/"}]')
    // ensure_ascii: non-ASCII and DEL as \uXXXX (astral chars as surrogate pairs), quotes escaped
    expect(manifest('s3://b/é/', ['a"\u007f😀.pbr'])).toBe('[{"prefix": "s3://b/\\u00e9/"}, "a\\"\\u007f\\ud83d\\ude00.pbr"]')
    expect(() => manifest('s3://b/p', [])).toThrow(RangeError)
  })

  it('names shard files like the SDK, zero-padding to the width of the shard count', () => {
    expect(shardFileName(0, 1)).toBe('matrix_0.pbr')
    expect(shardFileName(3, 10)).toBe('matrix_03.pbr')
    expect(shardFileName(42, 100)).toBe('matrix_042.pbr')
  })

  const shards: Shards = right(
    shard({ rows: 5, cols: 2, values: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10) }, Float32Array.of(0, 1, 0, 1, 0), 2),
  )

  it('describes uploads under a content-addressed stem and a ShardedByS3Key manifest channel', () => {
    const plan = right(recordSetPlan('s3://bucket/data/in/', shards))
    const h = createHash('sha256')
    for (const s of shards.shards) {
      const len = Buffer.alloc(8)
      len.writeBigUInt64LE(BigInt(s.bytes.length))
      h.update(len).update(s.bytes)
    }
    const stem = h.digest('hex').slice(0, 16)
    expect(plan.stem).toBe(stem)
    const prefix = `s3://bucket/data/in/${stem}/`
    expect(plan.objects.map(({ bucket, key, uri }) => ({ bucket, key, uri }))).toEqual([
      { bucket: 'bucket', key: `data/in/${stem}/matrix_0.pbr`, uri: `${prefix}matrix_0.pbr` },
      { bucket: 'bucket', key: `data/in/${stem}/matrix_1.pbr`, uri: `${prefix}matrix_1.pbr` },
    ])
    expect(plan.objects.map((o) => o.bytes)).toEqual(shards.shards.map((s) => s.bytes))
    expect(plan.manifest.key).toBe(`data/in/${stem}/.amazon.manifest`)
    expect(plan.manifest.body).toBe(`[{"prefix": "${prefix}"}, "matrix_0.pbr", "matrix_1.pbr"]`)
    expect(new TextDecoder().decode(plan.manifest.bytes)).toBe(plan.manifest.body)
    expect(plan.channel).toEqual({
      uri: `${prefix}.amazon.manifest`,
      s3DataType: 'ManifestFile',
      distribution: 'ShardedByS3Key',
      numRecords: 5,
      featureDim: 2,
    })
  })

  it('is deterministic, and distinguishes different shardings of the same rows', () => {
    const a = right(recordSetPlan('s3://bucket/', shards))
    const b = right(recordSetPlan('s3://bucket/', shards))
    expect(a.stem).toBe(b.stem)
    expect(a.stem).toMatch(/^[0-9a-f]{16}$/)
    expect(a.manifest.key).toBe(`${a.stem}/.amazon.manifest`)
    const matrix = { rows: 5, cols: 2, values: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10) }
    const three = right(shard(matrix, Float32Array.of(0, 1, 0, 1, 0), 3))
    expect(right(recordSetPlan('s3://bucket/', three)).stem).not.toBe(a.stem)
  })

  it('rejects data locations that are not s3://bucket/prefix/', () => {
    for (const bad of ['s3://bucket/data', 'https://bucket/data/', 's3:///data/', 's3://bucket']) {
      expect(left(recordSetPlan(bad, shards)).kind).toBe('invalid-argument')
    }
  })
})
