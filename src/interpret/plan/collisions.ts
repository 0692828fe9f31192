/**
 * No two steps may name the same thing. Two steps whose requests would create a training job, a
 * model, an endpoint… of the same physical name — a shared `baseJobName`, two long names cut to the
 * same prefix, an override of the name field — would make the executor adopt one step's job as the
 * other's. Physical names are still symbolic here, so equal means structurally equal: equal in
 * every run.
 *
 * @since 0.2.0
 */
import type { SpecError } from '../../spec/errors.js'
import { showVal } from '../dry-run/render-value.js'
import type { Plan } from './plan.js'
import { NAME_FIELDS, type RequestTag } from './requests.js'

const WHAT: { readonly [K in RequestTag]: string } = {
  CreateTrainingJob: 'training job',
  CreateHyperParameterTuningJob: 'tuning job',
  CreateModel: 'model',
  CreateEndpointConfig: 'endpoint config',
  CreateEndpoint: 'endpoint',
  CreateTransformJob: 'transform job',
  CreateModelPackage: 'model package',
}

const article = (w: string) => `${/^[aeiou]/.test(w) ? 'an' : 'a'} ${w}`

/** Every pair of steps that would create two things of one kind under one name, at the later step. */
export const nameCollisions = (plan: Plan): ReadonlyArray<SpecError> => {
  const first = new Map<string, string>()
  const errors: SpecError[] = []
  for (const p of plan.steps) {
    for (const r of p.requests) {
      const name = (r.input as Readonly<Record<string, unknown>>)[NAME_FIELDS[r._tag]]
      const key = `${r._tag}\u0000${JSON.stringify(name)}`
      const other = first.get(key)
      if (other === undefined) first.set(key, p.name)
      else if (other !== p.name)
        errors.push({
          _tag: 'Rule',
          path: `steps.${p.name}`,
          expected: `${article(WHAT[r._tag])} name no other step uses (step "${other}" names its ${WHAT[r._tag]} the same; give one of them another name or base name)`,
          actual: showVal(name),
        })
    }
  }
  return errors
}
