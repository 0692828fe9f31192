import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { execFileSync } from 'node:child_process'
import * as E from 'fp-ts/lib/Either.js'
import { decodeNpy, encodeNpy, fromRows, ndarray, toRows, type DType, type NdArray } from '../../src/frameworks/npy.js'

const hex = (s: string): number[] => (s.match(/../g) ?? []).map((b) => Number.parseInt(b, 16))
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0))

/** magic, version 1.0, little-endian header length, header padded to 64-byte alignment, data. */
const npyBytes = (dict: string, data: string): Uint8Array => {
  const header = `${dict.padEnd(117, ' ')}\n` // 10 + 118 = 128: every header below fits one 64-byte step past the first
  return Uint8Array.from([0x93, ...ascii('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8, ...ascii(header), ...hex(data)])
}

// Fixtures written from the format's definition; `numpy.save` produces the same bytes (checked below when NumPy is here).
const FIXTURES: ReadonlyArray<readonly [string, NdArray, Uint8Array]> = [
  [
    'float32 2x3',
    ndarray('float32', [2, 3], [1, 2, 3, 4, 5, 6]),
    npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", '0000803f' + '00000040' + '00004040' + '00008040' + '0000a040' + '0000c040'),
  ],
  ['int32 scalar', ndarray('int32', [], [7]), npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (), }", '07000000')],
  ['float64 vector', ndarray('float64', [1], [1.5]), npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", '000000000000f83f')],
  ['empty int32 2x0x3', ndarray('int32', [2, 0, 3], []), npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 0, 3), }", '')],
]

describe('npy: byte-level fixtures', () => {
  for (const [name, array, bytes] of FIXTURES) {
    it(`encodes ${name} exactly`, () => expect(encodeNpy(array)).toEqual(bytes))
    it(`decodes ${name}`, () => expect(decodeNpy(bytes)).toEqual(E.right(array)))
  }

  it('aligns the data to 64 bytes and keeps NumPy\'s room for the first axis to grow', () => {
    const big = encodeNpy(ndarray('float64', [123456789, 0], []))
    const headerLength = big[8]! | (big[9]! << 8)
    expect((10 + headerLength) % 64).toBe(0)
    expect(String.fromCharCode(...big.subarray(10, 10 + headerLength))).toMatch(/^\{'descr': '<f8', 'fortran_order': False, 'shape': \(123456789, 0\), \} +\n$/)
  })

  it('reads version 2.0 headers (4-byte length)', () => {
    const v1 = FIXTURES[0]![2]
    const header = v1.subarray(10, 128)
    const v2 = Uint8Array.from([...v1.subarray(0, 6), 2, 0, header.length, 0, 0, 0, ...header, ...v1.subarray(128)])
    expect(decodeNpy(v2)).toEqual(E.right(FIXTURES[0]![1]))
  })
})

describe('npy: decoding problems are values, not exceptions', () => {
  const bad = (bytes: Uint8Array) => {
    const r = decodeNpy(bytes)
    if (E.isRight(r)) throw new Error('expected a decoding error')
    return r.left.message
  }
  const good = FIXTURES[0]![2]
  it('explains each problem', () => {
    expect(bad(Uint8Array.of(1, 2, 3))).toBe('not an .npy file (no \\x93NUMPY magic)')
    expect(bad(Uint8Array.from([...good.subarray(0, 6), 9, 0, ...good.subarray(8)]))).toBe('unsupported .npy version 9.0')
    expect(bad(good.subarray(0, 60))).toBe('truncated header')
    expect(bad(good.subarray(0, good.length - 1))).toBe('shape (2, 3) of <f4 needs 24 data bytes, found 23')
    expect(bad(npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", '3f800000'))).toBe('dtype >f4 is not supported (expected one of <f4, <f8, <i4)')
    expect(bad(npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", '0000803f'))).toBe('Fortran-order arrays are not supported (expected C order)')
    expect(bad(npyBytes("{'descr': '<f4', 'shape': (1,), }", '0000803f'))).toMatch(/^header is not an \.npy dict/)
  })

  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => void decodeNpy(b)))
    fc.assert(
      fc.property(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 0, max: 255 }), (i, v) => {
        const copy = good.slice()
        copy[i] = v
        void decodeNpy(copy)
      }),
    )
  })
})

const arrayOf = (dtype: DType): fc.Arbitrary<NdArray> =>
  fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }).chain((shape) => {
    const n = shape.reduce((a, b) => a * b, 1)
    const value =
      dtype === 'int32' ? fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) : dtype === 'float32' ? fc.float({ noNaN: true }).map(Math.fround) : fc.double({ noNaN: true })
    return fc.array(value, { minLength: n, maxLength: n }).map((vs) => ndarray(dtype, shape, vs))
  })

describe('npy: round trips', () => {
  it('decode(encode(a)) = a for float32, float64 and int32 arrays of any shape', () => {
    for (const dtype of ['float32', 'float64', 'int32'] as const)
      fc.assert(
        fc.property(arrayOf(dtype), (a) => {
          expect(decodeNpy(encodeNpy(a))).toEqual(E.right(a))
        }),
      )
  })

  it('rows in, rows out', () => {
    const rows = [
      [1, 2],
      [3, 4],
      [5, 6],
    ]
    expect(toRows(fromRows('float64', rows))).toEqual(rows)
    expect(() => fromRows('float64', [[1], [2, 3]])).toThrow(/different lengths/)
  })
})

const numpy = ((): boolean => {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore', timeout: 20_000 })
    return true
  } catch {
    return false
  }
})()

describe('npy: agreement with NumPy', () => {
  it.skipIf(!numpy)('numpy.save writes the bytes we write, and numpy.load reads ours', () => {
    const arrays = fc.sample(fc.oneof(arrayOf('float32'), arrayOf('float64'), arrayOf('int32')), { numRuns: 25, seed: 42 })
    const script = [
      'import sys, io, json, base64, numpy as np',
      'out = []',
      'for item in json.load(sys.stdin):',
      '    a = np.load(io.BytesIO(base64.b64decode(item["npy"])))',
      '    b = np.array(item["values"], dtype=item["descr"]).reshape(item["shape"])',
      '    buf = io.BytesIO(); np.save(buf, b)',
      '    out.append({"same": bool(a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)), "npy": base64.b64encode(buf.getvalue()).decode()})',
      'print(json.dumps(out))',
    ].join('\n')
    const descr = { float32: '<f4', float64: '<f8', int32: '<i4' } as const
    const input = arrays.map((a) => ({ npy: Buffer.from(encodeNpy(a)).toString('base64'), values: Array.from(a.data), descr: descr[a.dtype], shape: a.shape }))
    const out = JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(input), encoding: 'utf8' })) as Array<{ same: boolean; npy: string }>
    out.forEach((o, i) => {
      expect(o.same).toBe(true)
      expect(Buffer.from(encodeNpy(arrays[i]!)).toString('base64')).toBe(o.npy)
    })
  })
})
