/** The built-in algorithm and marketplace examples validate, plan and render. */
import { describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import kmeansExample, { predictor, uploads } from '../../examples/kmeans-recordset.js'
import marketplaceExample from '../../examples/marketplace.js'
import { message } from '../../src/spec/errors.js'
import { validate } from '../../src/spec/validate.js'
import { toPlan } from '../../src/interpret/plan/plan.js'
import { toText } from '../../src/interpret/dry-run/text.js'
import { readRecords } from '../../src/frameworks/recordio.js'
import { expectValidRequest, resolver } from './algorithms/support.js'
import { resolve } from '../../src/interpret/plan/symbolic.js'

const planOf = (p: unknown) => {
  const v = validate(p)
  if (E.isLeft(v)) throw new Error(v.left.map(message).join('\n'))
  return toPlan(v.right)
}

describe('examples', () => {
  it('kmeans-recordset: three steps, two shards and a manifest to upload, RecordIO predictions', () => {
    const plan = planOf(kmeansExample)
    expect(plan.steps.map((s) => s.kind)).toEqual(['Training', 'Model', 'Endpoint'])
    expect(uploads.map((u) => u.key.split('/').pop())).toEqual(['matrix_0.pbr', 'matrix_1.pbr', '.amazon.manifest'])
    const rows = uploads.slice(0, 2).map((u) => readRecords(u.bytes)).map((r) => (E.isRight(r) ? r.right.length : -1))
    expect(rows).toEqual([30, 30])
    expect(predictor.contentType).toBe('application/x-recordio-protobuf')
    expect(toText(plan)).toContain('"S3DataType": "ManifestFile"')
    for (const s of plan.steps) for (const r of s.requests) expectValidRequest(r._tag, resolve(r.input as never, resolver))
  })

  it('marketplace: training, package, model, endpoint', () => {
    const plan = planOf(marketplaceExample)
    expect(plan.steps.map((s) => s.kind)).toEqual(['Training', 'ModelPackage', 'Model', 'Endpoint'])
    for (const s of plan.steps) for (const r of s.requests) expectValidRequest(r._tag, resolve(r.input as never, resolver))
  })
})
