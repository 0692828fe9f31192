import { describe, expect, it } from 'vitest'
import { OPERATORS } from '../../../src/interpret/airflow/operators.js'
import { serviceModelOrSkip, type ServiceModel, type Shape } from '../../support/service-model.js'
import { OPERATIONS } from './expected.js'

const sm = serviceModelOrSkip()

/** The shape at a keys-only path below an operation's input, walking through lists as the operators do. */
const shapeAt = (model: ServiceModel, operation: string, path: ReadonlyArray<string>): Shape | undefined => {
  let shape = model.shapes.get(model.operations.get(operation)!.input!.shape)
  for (const key of path) {
    while (shape?.type === 'list') shape = model.shapes.get(shape.member.shape)
    if (shape?.type !== 'structure') return undefined
    const member = shape.members.get(key)
    shape = member === undefined ? undefined : model.shapes.get(member.shape)
  }
  return shape
}

const OLD_MODEL_GAPS: ReadonlyArray<string> = ['HyperParameterTuningJobConfig.ResourceLimits.MaxRuntimeInSeconds', 'HyperParameterTuningJobConfig.RandomSeed']
const isOlderThan = (version: string | undefined, [major, minor]: readonly [number, number]): boolean => {
  const [a = 0, b = 0] = (version ?? '0.0').split('.').map(Number)
  return a < major || (a === major && b < minor)
}

describe.skipIf(sm.skip !== undefined)(`airflow/operators against the service model${sm.skip !== undefined ? ` (skipped: ${sm.skip})` : ''}`, () => {
  const fields = Object.entries(OPERATORS).flatMap(([kind, op]) =>
    op._tag === 'NoOperator' ? [] : op.nonStringFields.map((f) => [kind, f, op.integerFields.includes(f)] as const),
  )

  it.each(fields)('%s %s is a number or boolean in the API (and an integer where the operator casts it)', (kind, field, cast) => {
    const parts = OPERATIONS[kind as keyof typeof OPERATIONS]
    const path = field.split('.')
    // The endpoint operator's config holds two requests under their own keys.
    const [key, operation] = parts.length === 1 ? parts[0]! : parts.find(([k]) => k === path[0])!
    const shape = shapeAt(sm.model!, operation, key === undefined ? path : path.slice(1))
    // Older service models (Debian's botocore 1.29) predate these tuning members; newer ones must have them.
    if (shape === undefined && OLD_MODEL_GAPS.includes(field) && isOlderThan(sm.model!.botocoreVersion, [1, 30])) return
    expect(shape, `${operation} ${field}`).toBeDefined()
    expect(['integer', 'long', 'float', 'double', 'boolean']).toContain(shape!.type)
    if (cast) expect(['integer', 'long']).toContain(shape!.type)
  })

  it('casts only fields it lists as numbers', () => {
    for (const op of Object.values(OPERATORS)) if (op._tag === 'Operator') for (const f of op.integerFields) expect(op.nonStringFields).toContain(f)
  })
})
