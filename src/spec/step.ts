/**
 * Steps: named nodes of a program. A step is a plain readonly object with a `_tag` (its kind), a
 * logical `name`, optional explicit dependencies (`after`) and the fields of its kind. Constructors
 * attach a non-enumerable `outputs` record of typed refs, so `train.outputs.modelArtifacts` reads well
 * while the step itself stays plain, serialisable data.
 *
 * @since 0.1.0
 */
import { deepMerge } from './merge.js'
import type * as t from 'io-ts'
import * as C from './codec.js'
import * as P from './primitives.js'
import { endpointFields } from './endpoint.js'
import { modelFields } from './model.js'
import { modelPackageFields } from './model-package.js'
import * as O from './outputs.js'
import { trainingFields } from './training.js'
import { transformFields } from './transform.js'
import { tuningFields } from './tuning.js'
import { tuningBody, type TuningBody } from './template.js'

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/**
 * A problem a preset found while building the step (an unsupported framework version, an
 * out-of-range algorithm hyperparameter…). Presets stay total functions; `validate` reports these
 * with the step's path, beside every other error.
 */
export const PresetError = C.struct(
  'PresetError',
  { path: C.str('Path', { min: 1 }), expected: C.str('Expected', { min: 1 }) },
  { actual: C.scalar('JSON', 'a JSON value', (u): u is unknown => true) },
)

const common = {
  /** Explicit dependencies, beside those inferred from refs. */
  after: C.array(P.StepName, { max: 100 }),
  description: C.str('Description', { max: 1024 }),
  presetErrors: C.array(PresetError),
} as const

const stepCodec = <Tag extends string, R extends C.Props, Opt extends C.Props>(tag: Tag, fields: { readonly required: R; readonly optional: Opt }) =>
  C.struct(tag, { _tag: C.literal(tag), name: P.StepName, ...fields.required }, { ...common, ...fields.optional })

export const TrainingStep = stepCodec('Training', trainingFields)
export const TuningStep = stepCodec('Tuning', tuningFields)
export const ModelStep = stepCodec('Model', modelFields)
export const EndpointStep = stepCodec('Endpoint', endpointFields)
export const TransformStep = stepCodec('Transform', transformFields)
export const ModelPackageStep = stepCodec('ModelPackage', modelPackageFields)

export const Step = C.taggedUnion('Step', {
  Training: TrainingStep,
  Tuning: TuningStep,
  Model: ModelStep,
  Endpoint: EndpointStep,
  Transform: TransformStep,
  ModelPackage: ModelPackageStep,
})

export type TrainingStep = t.TypeOf<typeof TrainingStep>
export type TuningStep = t.TypeOf<typeof TuningStep>
export type ModelStep = t.TypeOf<typeof ModelStep>
export type EndpointStep = t.TypeOf<typeof EndpointStep>
export type TransformStep = t.TypeOf<typeof TransformStep>
export type ModelPackageStep = t.TypeOf<typeof ModelPackageStep>
export type Step = TrainingStep | TuningStep | ModelStep | EndpointStep | TransformStep | ModelPackageStep
export type StepTag = Step['_tag']
export type StepOf<K extends StepTag> = Extract<Step, { readonly _tag: K }>

/** Every step kind, for exhaustive tables: `{ readonly [K in StepTag]: … }`. */
export const STEP_TAGS: ReadonlyArray<StepTag> = ['Training', 'Tuning', 'Model', 'Endpoint', 'Transform', 'ModelPackage']

/** What each kind returns, for `validate`'s ref checks. */
export const OUTPUT_SCHEMAS: { readonly [K in StepTag]: O.OutputSchema } = {
  Training: O.TRAINING_OUTPUTS,
  Tuning: O.TUNING_OUTPUTS,
  Model: O.MODEL_OUTPUTS,
  Endpoint: O.ENDPOINT_OUTPUTS,
  Transform: O.TRANSFORM_OUTPUTS,
  ModelPackage: O.MODEL_PACKAGE_OUTPUTS,
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

type Body<S> = Omit<S, '_tag' | 'name'>
type WithOutputs<S, Out> = S & { readonly outputs: Out }

export interface OutputsByTag {
  readonly Training: O.TrainingOutputs
  readonly Tuning: O.TuningOutputs
  readonly Model: O.ModelOutputs
  readonly Endpoint: O.EndpointOutputs
  readonly Transform: O.TransformOutputs
  readonly ModelPackage: O.ModelPackageOutputs
}

const outputsFor: { readonly [K in StepTag]: (name: string) => OutputsByTag[K] } = {
  Training: O.trainingOutputs,
  Tuning: O.tuningOutputs,
  Model: O.modelOutputs,
  Endpoint: O.endpointOutputs,
  Transform: O.transformOutputs,
  ModelPackage: O.modelPackageOutputs,
}

// A frozen deep copy, so "no combinator mutates its input" holds by construction and the caller's
// own objects are never frozen behind its back. Frozen parts are immutable already, so they are shared.
const frozenCopy = <A>(a: A): A => {
  if (typeof a !== 'object' || a === null || Object.isFrozen(a)) return a
  if (Array.isArray(a)) return Object.freeze(a.map(frozenCopy)) as A
  const copy: Record<string, unknown> = {}
  for (const k in a) {
    if (!Object.prototype.hasOwnProperty.call(a, k)) continue
    // A key such as a tag named `__proto__` is data: assigned, it would set the copy's prototype.
    if (k === '__proto__') Object.defineProperty(copy, k, { value: frozenCopy(a[k]), enumerable: true, writable: true, configurable: true })
    else copy[k] = frozenCopy(a[k])
  }
  return Object.freeze(copy) as A
}

/**
 * Build a frozen step and attach its typed outputs (non-enumerable: not part of the data). A step not
 * yet frozen is the constructors' own fresh object, so it is frozen in place (only what the caller
 * passed in is copied): callers hand over the object they pass.
 */
export const make = <K extends StepTag>(step: StepOf<K>): WithOutputs<StepOf<K>, OutputsByTag[K]> => {
  const own: Record<string, unknown> = Object.isFrozen(step) ? { ...step } : (step as unknown as Record<string, unknown>)
  for (const k in own) own[k] = frozenCopy(own[k])
  Object.defineProperty(own, 'outputs', { value: outputsFor[step._tag as K](step.name), enumerable: false })
  return Object.freeze(own) as unknown as WithOutputs<StepOf<K>, OutputsByTag[K]>
}

/** The typed outputs of any step, also for steps decoded from JSON. */
export const outputsOf = <K extends StepTag>(step: StepOf<K>): OutputsByTag[K] => outputsFor[step._tag as K](step.name)

/** @category constructors */
export const training = (name: string, body: Body<TrainingStep>) => make<'Training'>({ _tag: 'Training', name, ...body })
/** The template is a training body, or a training step (see `template.ts`). @category constructors */
export const tuning = (name: string, body: TuningBody) => make<'Tuning'>({ _tag: 'Tuning', name, ...tuningBody(name, body) })
/** @category constructors */
export const model = (name: string, body: Body<ModelStep>) => make<'Model'>({ _tag: 'Model', name, ...body })
/** @category constructors */
export const endpoint = (name: string, body: Body<EndpointStep>) => make<'Endpoint'>({ _tag: 'Endpoint', name, ...body })
/** @category constructors */
export const transform = (name: string, body: Body<TransformStep>) => make<'Transform'>({ _tag: 'Transform', name, ...body })
/** @category constructors */
export const modelPackage = (name: string, body: Body<ModelPackageStep>) => make<'ModelPackage'>({ _tag: 'ModelPackage', name, ...body })

// -------------------------------------------------------------------------------------
// combinators (data-last, never mutate their input)
// -------------------------------------------------------------------------------------

const update =
  <S extends Step>(f: (s: S) => Partial<S>) =>
  (s: S): S =>
    make({ ...s, ...f(s) } as StepOf<S['_tag']>) as unknown as S

/** Add explicit dependencies. */
export const after = (...steps: ReadonlyArray<Step | string>) =>
  update<Step>((s) => ({ after: [...(s.after ?? []), ...steps.map((x) => (typeof x === 'string' ? x : x.name))] }))

export const withTags = (tags: Readonly<Record<string, string>>) => update<Step>((s) => ({ tags: { ...(s.tags ?? {}), ...tags } }))

/** Deep-merged into the step's (first) request last; shown in the plan. */
/** Deep-merged into earlier overrides, as the request builders merge them into the request. */
export const withOverrides = (overrides: Readonly<Record<string, unknown>>) =>
  update<Step>((s) => ({ overrides: deepMerge(s.overrides ?? {}, overrides) }))

export const withHyperParameters = (hp: TrainingStep['hyperParameters'] & object) =>
  update<TrainingStep>((s) => ({ hyperParameters: { ...(s.hyperParameters ?? {}), ...hp } }))

export const withInstance = (instanceType: TrainingStep['resources']['instanceType'], instanceCount?: TrainingStep['resources']['instanceCount']) =>
  update<TrainingStep>((s) => ({ resources: { ...s.resources, instanceType, ...(instanceCount !== undefined ? { instanceCount } : {}) } }))

export const withChannel = (name: string, channel: NonNullable<TrainingStep['channels']>[string]) =>
  update<TrainingStep>((s) => ({ channels: { ...(s.channels ?? {}), [name]: channel } }))

export const withEnvironment = (env: Readonly<Record<string, string>>) =>
  update<TrainingStep>((s) => ({ environment: { ...(s.environment ?? {}), ...env } }))

export const withMaxRuntime = (seconds: number) => update<TrainingStep>(() => ({ stopping: { maxRuntimeInSeconds: seconds } }))
