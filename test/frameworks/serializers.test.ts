import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import {
  DEFAULT_FORMATS,
  DESERIALIZERS,
  SERIALIZERS,
  bytesDeserializer,
  bytesSerializer,
  csvDeserializer,
  csvSerializer,
  decodeCsv,
  decodeCsvNumbers,
  encodeCsv,
  encodeJson,
  fromNested,
  invokeHeaders,
  jsonDeserializer,
  jsonSerializer,
  npyDeserializer,
  npySerializer,
  toNested,
} from '../../src/frameworks/serializers.js'
import { FRAMEWORK_NAMES } from '../../src/frameworks/script-mode.js'
import { ndarray } from '../../src/frameworks/npy.js'

const text = (b: Uint8Array) => new TextDecoder().decode(b)
const bytes = (s: string) => new TextEncoder().encode(s)

describe('CSV', () => {
  it('writes rows, quoting only what needs it', () => {
    expect(text(csvSerializer.serialize([[1, 2.5, 'a'], ['x,y', 'say "hi"', 'line\nbreak']]))).toBe('1,2.5,a\n"x,y","say ""hi""","line\nbreak"')
    expect(encodeCsv([[''], ['', '']])).toBe('""\n,')
    expect(encodeCsv([])).toBe('')
  })

  it('reads RFC 4180: quotes, doubled quotes, CRLF, a final line end', () => {
    expect(decodeCsv('a,"b,c"\r\n"d ""e""",\n')).toEqual(E.right([['a', 'b,c'], ['d "e"', '']]))
    expect(decodeCsv('')).toEqual(E.right([]))
    expect(decodeCsv('\n')).toEqual(E.right([['']]))
  })

  it('reports malformed CSV', () => {
    expect(decodeCsv('"open')).toEqual(E.left({ _tag: 'InvalidCsv', message: 'unterminated quoted field' }))
    expect(decodeCsv('"a"b')).toEqual(E.left({ _tag: 'InvalidCsv', message: 'unexpected "b" after a closing quote at offset 3' }))
    expect(decodeCsvNumbers('1,x')).toEqual(E.left({ _tag: 'InvalidCsv', message: 'row 1, field 2: "x" is not a number' }))
  })

  it('round-trips any rows of strings', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', 'é', '') })
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 1, maxLength: 5 }), { maxLength: 6 }), (rows) => {
        expect(csvDeserializer.deserialize(csvSerializer.serialize(rows))).toEqual(E.right(rows))
      }),
    )
  })

  it('round-trips rows of numbers', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.double({ noNaN: true }), { minLength: 1, maxLength: 5 }), { maxLength: 6 }), (rows) => {
        expect(decodeCsvNumbers(encodeCsv(rows))).toEqual(E.right(rows))
      }),
    )
  })
})

describe('JSON', () => {
  it('writes arrays anywhere as nested lists', () => {
    const a = ndarray('float32', [2, 2], [1, 2, 3, 4])
    expect(encodeJson({ instances: a, scalar: ndarray('int32', [], [5]) })).toBe('{"instances":[[1,2],[3,4]],"scalar":5}')
    expect(toNested(ndarray('int32', [2, 0], []))).toEqual([[], []])
  })

  it('round-trips JSON values and reports bad JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(jsonDeserializer.deserialize(jsonSerializer.serialize(v))).toEqual(E.right(JSON.parse(JSON.stringify(v))))
      }),
    )
    const r = jsonDeserializer.deserialize(bytes('{nope'))
    expect(E.isLeft(r) && r.left._tag).toBe('InvalidJson')
  })
})

describe('NPY as a predictor format', () => {
  const a = ndarray('float64', [2, 3], [1, 2, 3, 4, 5, 6])

  it('round-trips arrays', () => {
    expect(npyDeserializer.deserialize(npySerializer.serialize(a), 'application/x-npy')).toEqual(E.right(a))
    expect(npyDeserializer.deserialize(npySerializer.serialize(a))).toEqual(E.right(a))
  })

  it('reads CSV and JSON replies by their content type', () => {
    expect(npyDeserializer.deserialize(bytes('1,2,3\n4,5,6\n'), 'text/csv; charset=utf-8')).toEqual(E.right(a))
    expect(npyDeserializer.deserialize(bytes('[[1,2,3],[4,5,6]]'), 'application/json')).toEqual(E.right(a))
    expect(npyDeserializer.deserialize(bytes('[[1,2],[3]]'), 'application/json')).toEqual(E.left({ _tag: 'InvalidJson', message: 'not a rectangular array of numbers' }))
    expect(npyDeserializer.deserialize(bytes('1,2\n3'), 'text/csv')).toEqual(E.left({ _tag: 'InvalidCsv', message: 'rows of different lengths do not make an array' }))
    expect(npyDeserializer.deserialize(bytes('x'), 'image/png')).toEqual(
      E.left({ _tag: 'UnsupportedContentType', message: 'cannot read image/png as an array (expected application/x-npy, text/csv or application/json)' }),
    )
  })

  it('reads nested lists of any rectangular shape', () => {
    expect(fromNested(7)).toEqual(ndarray('float64', [], [7]))
    expect(fromNested([[[1], [2]]])).toEqual(ndarray('float64', [1, 2, 1], [1, 2]))
    expect(fromNested(['a'])).toBeUndefined()
  })
})

describe('raw bytes', () => {
  it('pass through, copied', () => {
    fc.assert(
      fc.property(fc.uint8Array(), (b) => {
        const out = bytesSerializer.serialize(b)
        expect(out).toEqual(b)
        expect(out).not.toBe(b)
        expect(bytesDeserializer.deserialize(out)).toEqual(E.right(b))
      }),
    )
  })
})

describe('default formats per framework', () => {
  it('covers every framework preset and SparkML, with the reference SDK\'s choices', () => {
    expect(Object.keys(DEFAULT_FORMATS).sort()).toEqual([...FRAMEWORK_NAMES, 'sparkml-serving'].sort())
    expect(invokeHeaders(DEFAULT_FORMATS.pytorch)).toEqual({ ContentType: 'application/x-npy', Accept: 'application/x-npy' })
    expect(invokeHeaders(DEFAULT_FORMATS.tensorflow)).toEqual({ ContentType: 'application/json', Accept: 'application/json' })
    expect(invokeHeaders(DEFAULT_FORMATS.xgboost)).toEqual({ ContentType: 'text/csv', Accept: 'text/csv' })
    expect(invokeHeaders(DEFAULT_FORMATS['sparkml-serving'])).toEqual({ ContentType: 'text/csv', Accept: 'application/octet-stream' })
  })

  it('each named format has a serializer and a deserializer that agree on the media type', () => {
    for (const f of Object.keys(SERIALIZERS) as Array<keyof typeof SERIALIZERS>) expect(SERIALIZERS[f].contentType).toBe(DESERIALIZERS[f].accept)
  })
})
