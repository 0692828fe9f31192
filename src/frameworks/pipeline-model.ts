/**
 * Inference pipelines from models (the reference SDK's `PipelineModel(models=[…], role, vpc_config)`):
 * one `CreateModel` whose `Containers` are the models' containers in order, each one's output the
 * next one's input. The models are building blocks (a `sparkmlModel`, a `modelFromTraining`, …); only
 * the pipeline goes in the program. A pipeline runs under one role and in one VPC, so models that
 * disagree on either must be settled by the caller (container hostnames must be distinct too, which
 * `validate` checks for every model).
 *
 * @since 0.2.0
 */
import { model, type ModelStep } from '../spec/step.js'
import type { ContainerDefinition } from '../spec/model.js'
import { presetError, type ModelPassthrough, type PresetError } from './script-mode.js'

type Body<S> = Omit<S, '_tag' | 'name'>

/** The pipeline's own model fields; role, VPC and tags default to the models' (when they agree). */
export interface PipelineModelOptions extends Partial<ModelPassthrough> {}

const show = (v: unknown): string => JSON.stringify(v) ?? String(v)

/** The one value the models give for a field (given or not), or an error naming the ones that differ. */
const agreed = <A>(field: string, models: ReadonlyArray<ModelStep>, get: (m: ModelStep) => A | undefined): { readonly value?: A; readonly errors: ReadonlyArray<PresetError> } => {
  const given = models.map((m, i) => ({ i, v: get(m) })).filter((x) => x.v !== undefined)
  const first = given[0]
  if (first === undefined) return { errors: [] }
  const other = given.find((x) => show(x.v) !== show(first.v))
  return other === undefined
    ? { value: first.v as A, errors: [] }
    : // The first is kept, so the step is still well-formed and this is the one error reported.
      { value: first.v as A, errors: [presetError(field, `one ${field} for the whole pipeline (models ${first.i} and ${other.i} differ): give ${field}`, [first.v, other.v])] }
}

/** Tags of every model, merged; a key two models give different values is an error. */
const mergedTags = (models: ReadonlyArray<ModelStep>): { readonly value?: NonNullable<ModelStep['tags']>; readonly errors: ReadonlyArray<PresetError> } => {
  const tags: Record<string, NonNullable<ModelStep['tags']>[string]> = {}
  const errors: PresetError[] = []
  for (const m of models)
    for (const [k, v] of Object.entries(m.tags ?? {})) {
      if (k in tags && show(tags[k]) !== show(v)) errors.push(presetError(`tags.${k}`, `one value for tag ${k} (the models differ): give tags`, [tags[k], v]))
      else tags[k] = v
    }
  return Object.keys(tags).length > 0 ? { value: tags, errors } : { errors }
}

const containersOf = (m: ModelStep): ReadonlyArray<ContainerDefinition> => m.containers ?? (m.container !== undefined ? [m.container] : [])

/**
 * One model serving several containers in order.
 *
 * @example
 * const pipeline = pipelineModel('churn', [
 *   sparkmlModel('features', { modelData: prep.outputs.modelArtifacts, role, region }),
 *   modelFromTraining(train, { instanceType: 'ml.c5.xlarge' }),
 * ])
 * @category constructors
 */
export const pipelineModel = (name: string, models: ReadonlyArray<ModelStep>, options: PipelineModelOptions = {}) => {
  const errors: PresetError[] = []
  const containers: ContainerDefinition[] = []
  models.forEach((m) => {
    const at = containers.length
    for (const e of m.presetErrors ?? []) errors.push({ ...e, path: `containers.${at}.${e.path}` })
    containers.push(...containersOf(m))
  })
  if (models.length === 0) errors.push(presetError('containers', 'at least one model', []))
  const role = options.role !== undefined ? { value: options.role, errors: [] } : agreed('role', models, (m) => m.role)
  const vpc = options.vpc !== undefined ? { value: options.vpc, errors: [] } : agreed('vpc', models, (m) => m.vpc)
  const tags = options.tags !== undefined ? { value: options.tags, errors: [] } : mergedTags(models)
  errors.push(...role.errors, ...vpc.errors, ...tags.errors)
  // A model that asked for network isolation keeps it inside the pipeline.
  const isolated = options.enableNetworkIsolation ?? (models.some((m) => m.enableNetworkIsolation === true) ? true : undefined)
  const after = [...new Set([...models.flatMap((m) => m.after ?? []), ...(options.after ?? [])])]
  const { role: _r, vpc: _v, tags: _t, enableNetworkIsolation: _i, after: _a, ...rest } = options
  return model(name, {
    containers,
    ...(role.value !== undefined ? { role: role.value } : {}),
    ...(vpc.value !== undefined ? { vpc: vpc.value } : {}),
    ...(isolated !== undefined ? { enableNetworkIsolation: isolated } : {}),
    ...(tags.value !== undefined ? { tags: tags.value } : {}),
    ...(after.length > 0 ? { after } : {}),
    ...rest,
    ...(errors.length > 0 ? { presetErrors: errors } : {}),
  } as Body<ModelStep>)
}
