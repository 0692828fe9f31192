import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { printPy, printValue, py, pyFloat, pyInt, pyStr, valuePrinter, type PyExpr } from '../../../src/interpret/airflow/python.js'

// `printValue` prints a request straight from its value; it must print exactly what `printPy` prints
// for the same value built as a tree (the exporter used to build that tree for every request).
const isLeaf = (v: unknown): boolean => typeof v !== 'object' || v === null
const leaf = (v: unknown): string =>
  v === null ? 'None' : typeof v === 'string' ? pyStr(v) : typeof v === 'number' ? (Number.isInteger(v) ? pyInt(v) : pyFloat(v)) : v ? 'True' : 'False'
const toTree = (v: unknown): PyExpr => {
  if (v === null) return py.none
  if (typeof v === 'string') return py.str(v)
  if (typeof v === 'number') return Number.isInteger(v) ? py.int(v) : py.float(v)
  if (typeof v === 'boolean') return py.bool(v)
  if (Array.isArray(v)) return py.list(v.map(toTree))
  return py.dict(
    Object.entries(v as object).flatMap(([k, x]) => (x === undefined ? [] : [[py.str(k), toTree(x)] as const])),
  )
}

// Strings with what changes widths: astral characters (one code point, two units), lone surrogates,
// quotes and escapes.
const text = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('', "it's", '\u{1F600}\u{1F600}', '\ud800x', 'a\nb', 'é'.repeat(30)))
const value = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 5 }),
    fc.dictionary(text, fc.oneof(tie('v'), fc.constant(undefined)), { maxKeys: 5 }),
  ),
})).v

describe('printValue', () => {
  it('prints what printPy prints for the same value as a tree, at any width and column', () => {
    fc.assert(
      fc.property(value, fc.integer({ min: 10, max: 120 }), fc.nat(30), fc.nat(8), (v, width, column, baseIndent) => {
        const options = { width, column: baseIndent + column, baseIndent }
        expect(printValue(v, isLeaf, leaf, options)).toBe(printPy(toTree(v), options))
      }),
      { numRuns: 500 },
    )
  })

  it('prints the same with one printer for many values in a row (what one value leaves behind does not show in the next)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(value, fc.integer({ min: 10, max: 120 })), { minLength: 2, maxLength: 6 }), (vs) => {
        const printer = valuePrinter(isLeaf, leaf)
        for (const [v, width] of vs) expect(printer.print(v, { width })).toBe(printPy(toTree(v), { width }))
      }),
      { numRuns: 300 },
    )
    // More distinct scalars than the printer keeps, then some of them again.
    const many = Array.from({ length: 5000 }, (_, i) => ({ k: `v${i}`, n: i }))
    const one = valuePrinter(isLeaf, leaf)
    expect(one.print(many, { width: 60 })).toBe(printPy(toTree(many), { width: 60 }))
    expect(one.print(many.slice(0, 3), { width: 60 })).toBe(printPy(toTree(many.slice(0, 3)), { width: 60 }))
    // A long value, then a short one.
    const printer = valuePrinter(isLeaf, leaf)
    printer.print({ a: ['x'.repeat(50), 'y'.repeat(50)], b: 1 })
    expect(printer.print([1])).toBe('[1]')
  })

  it('calls the visitor at every leaf, in document order, with the keys and indexes leading to it', () => {
    const seen: Array<readonly [unknown, string]> = []
    valuePrinter(isLeaf, leaf).print({ a: [1, { b: 'x', c: undefined }], d: null }, {}, (v, at) => void seen.push([v, at.join('.')]))
    expect(seen).toEqual([
      [1, 'a.0'],
      ['x', 'a.1.b'],
      [null, 'd'],
    ])
  })

  it('explodes what does not fit, one item per line', () => {
    const v = { TrainingJobName: 'a'.repeat(40), Tags: [{ Key: 'team', Value: 'b'.repeat(20) }] }
    expect(printValue(v, isLeaf, leaf, { width: 60 })).toBe(
      ["{", `    'TrainingJobName': '${'a'.repeat(40)}',`, "    'Tags': [", `        {'Key': 'team', 'Value': '${'b'.repeat(20)}'},`, '    ],', '}'].join('\n'),
    )
  })
})
