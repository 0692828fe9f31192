import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { endpoint, existing, message, model, program, training, validate, type Program } from '../../../src/index.js'
import { nameCollisions } from '../../../src/interpret/plan/collisions.js'
import { toPlan } from '../../../src/interpret/plan/plan.js'
import { run } from '../../../src/interpret/execute/executor.js'
import { scriptedBackend } from '../../support/scripted-backend.js'

const role = 'arn:aws:iam::111122223333:role/R'
const t = (name: string, more: object = {}) =>
  training(name, { image: 'img', role, resources: { instanceType: 'ml.m5.xlarge' }, output: { s3OutputPath: 's3://b/o' }, ...more })
const planOf = (p: Program) => {
  const v = validate(p)
  if (E.isLeft(v)) throw new Error(JSON.stringify(v.left))
  return toPlan(v.right)
}
const messages = (p: Program) => nameCollisions(planOf(p)).map(message)

describe('nameCollisions', () => {
  it('accepts distinct names', () => {
    expect(messages(program(t('a'), t('b'), model('m', { container: { image: 'img' }, role })))).toEqual([])
  })

  it('reports a shared baseJobName at the later step, naming the earlier one', () => {
    expect(messages(program(t('x', { baseJobName: 'shared' }), t('y', { baseJobName: 'shared' })))).toEqual([
      'steps.y: expected a training job name no other step uses (step "x" names its training job the same; give one of them another name or base name), found "shared-<run>"',
    ])
  })

  it('reports two long names cut to the same prefix', () => {
    const long = 'a'.repeat(50)
    expect(messages(program(t(`${long}-one`), t(`${long}-two`)))).toHaveLength(1)
  })

  it('reports an override of the name field that equals another step\'s name', () => {
    expect(messages(program(t('x'), t('y', { overrides: { TrainingJobName: { _tag: 'Join', on: '-', values: ['x', { _tag: 'RunId' }] } } })))).toHaveLength(1)
  })

  it('reports two endpoint steps on one endpoint (and its config)', () => {
    const e = (name: string) => endpoint(name, { endpointName: 'same', variants: [{ model: existing('m'), instanceType: 'ml.m5.large' }] })
    expect(messages(program(e('e1'), e('e2')))).toEqual([
      'steps.e2: expected an endpoint config name no other step uses (step "e1" names its endpoint config the same; give one of them another name or base name), found "same-<run>"',
      'steps.e2: expected an endpoint name no other step uses (step "e1" names its endpoint the same; give one of them another name or base name), found "same"',
    ])
  })

  it('a model and a training job may share a name: they are different kinds', () => {
    expect(messages(program(t('same'), model('other', { baseName: 'same', container: { image: 'img' }, role })))).toEqual([])
  })

  it('the executor starts nothing for a plan with a collision', async () => {
    const backend = scriptedBackend()
    const r = await run(planOf(program(t('x', { baseJobName: 'shared' }), t('y', { baseJobName: 'shared' }))), { backend, runId: 'r1', stateDir: '/nonexistent-never-written' })
    expect(r.status).toBe('Failed')
    expect(r.errors.map((e) => e._tag)).toEqual(['NameCollision'])
    expect(backend.calls).toEqual([])
  })
})
