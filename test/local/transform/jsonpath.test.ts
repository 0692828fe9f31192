import { describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { parse, select } from '../../../src/local/transform/jsonpath.js'

const run = (path: string, value: unknown): unknown => {
  const p = parse(path)
  if (E.isLeft(p)) throw new Error(p.left)
  const r = select(p.right)(value)
  return E.isLeft(r) ? { error: r.left } : r.right
}

const row = ['id7', '1', '2', '3', '4', '5']

describe('the JSONPath subset of DataProcessing', () => {
  it('selects what SageMaker documents for each operator', () => {
    expect(run('$', row)).toEqual(row)
    expect(run('$.id', { id: 3, x: 1 })).toBe(3)
    expect(run('$.id.*', { id: { a: 1, b: 2 } })).toEqual([1, 2])
    expect(run("$['id','SageMakerOutput']", { id: 1, f: [1], SageMakerOutput: { label: 0 } })).toEqual({ id: 1, SageMakerOutput: { label: 0 } })
    expect(run('$[1]', row)).toBe('1')
    expect(run('$[1,3,5]', row)).toEqual(['1', '3', '5'])
    expect(run('$[-1]', row)).toBe('5')
  })

  it('slices include their end, as the guide says ($[1:4] is the second through fifth column)', () => {
    expect(run('$[1:4]', row)).toEqual(['1', '2', '3', '4'])
    expect(run('$[1:]', row)).toEqual(['1', '2', '3', '4', '5'])
    expect(run('$[:2]', row)).toEqual(['id7', '1', '2'])
    expect(run('$[0,5:]', row)).toEqual(['id7', '5'])
  })

  it("pins the guide's sentences on slices (batch-transform-data-processing: the colon includes the elements between two values, inclusive)", () => {
    const cols = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8']
    // "$[1:4] specifies the second through fifth columns"
    expect(run('$[1:4]', cols)).toEqual(['c2', 'c3', 'c4', 'c5'])
    // "[5:] … all columns from the 6th column through the last column"
    expect(run('$[5:]', cols)).toEqual(['c6', 'c7', 'c8'])
    // "[:5] … from the first column (index 0) through the sixth column"
    expect(run('$[:5]', cols)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6'])
  })

  it('reads the documented examples of InputFilter and OutputFilter', () => {
    expect(run('$.features', { id: 1, features: [0.5, 2] })).toEqual([0.5, 2])
    expect(run("$.field1.['child1','child2']", { field1: { child1: 1, child2: 2, child3: 3 } })).toEqual({ child1: 1, child2: 2 })
    expect(run("$.field1['child1']", { field1: { child1: 1 } })).toBe(1)
  })

  it('says what is wrong with a path or a record', () => {
    expect(E.isLeft(parse('$..id'))).toBe(true)
    expect(E.isLeft(parse('id'))).toBe(true)
    expect(E.isLeft(parse('$[a]'))).toBe(true)
    expect(E.isLeft(parse('$[1'))).toBe(true)
    expect(run('$[9]', row)).toEqual({ error: '$[9]: index 9 is outside the 6 elements' })
    expect(run('$.missing', { id: 1 })).toEqual({ error: '$.missing: the record has no field missing' })
    expect(run('$[0]', { id: 1 })).toMatchObject({ error: expect.stringContaining('needs an array') })
  })
})
