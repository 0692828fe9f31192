/**
 * The serving model of a job no framework preset built: a bring-your-own image or an Amazon built-in
 * algorithm. As the reference SDK's `Estimator.create_model` does it: the training image serves (an
 * Amazon algorithm's image for its region, which is also its inference image), the job's artifacts are
 * the model data, and nothing else about the job is needed. A job trained from an algorithm resource
 * (`algorithmName`) is served through a model package instead, and the error says so.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { BUILT_IN_ALGORITHM_IMAGE, type Algorithm } from '../spec/algorithms.js'
import { model, type ModelStep } from '../spec/step.js'
import type { TrainingJob } from '../spec/training.js'
import type { Val } from '../spec/val.js'
import { algorithmImage } from './images.js'
import { presetError, type Environment, type ModelPassthrough, type PresetError } from './script-mode.js'

type Body<S> = Omit<S, '_tag' | 'name'>

/** What the image of a framework-less job is. */
export type ServingImage =
  | { readonly _tag: 'Own'; readonly image: Val<string> }
  | { readonly _tag: 'Algorithm'; readonly algorithm: Algorithm; readonly region: string; readonly image: string }

const ALGORITHM_IMAGE_PARTS = /^\d{12}\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:/]+):1$/

/** An Amazon algorithm's image is recognised (and its inference image looked up); any other is the user's own. */
export const servingImageOf = (image: Val<string>): ServingImage => {
  if (typeof image !== 'string' || !BUILT_IN_ALGORITHM_IMAGE.test(image)) return { _tag: 'Own', image }
  const [, region = '', repository = ''] = ALGORITHM_IMAGE_PARTS.exec(image) ?? []
  const algorithm = repository as Algorithm
  const inference = algorithmImage(algorithm, region)
  return E.isRight(inference) ? { _tag: 'Algorithm', algorithm, region, image: inference.right } : { _tag: 'Own', image }
}

/** Options that only a framework's serving container reads: given for an image job, they would be ignored. */
export const FRAMEWORK_ONLY = [
  'processor',
  'modelServerWorkers',
  'frameworkVersion',
  'pyVersion',
  'baseFramework',
  'containerLogLevel',
  'entryPoint',
  'sourceDir',
  'dependencies',
  'codeLocation',
] as const

export interface ImageServing {
  readonly name: string
  readonly job: TrainingJob
  readonly modelData: Val<string>
  /** Role, VPC and tags of the job, then the caller's model fields over them. */
  readonly fields: Partial<ModelPassthrough>
  readonly image?: Val<string>
  readonly env?: Environment
  /** The options given, to report framework-only ones by name. */
  readonly given: Readonly<Record<string, unknown>>
}

const ignoredErrors = (given: Readonly<Record<string, unknown>>): ReadonlyArray<PresetError> =>
  FRAMEWORK_ONLY.filter((k) => given[k] !== undefined).map((k) =>
    presetError(k, `no ${k}: the job was not built by a framework preset, so its image serves as it is (serve a script with a framework preset, or with scriptModel)`, given[k]),
  )

/**
 * The model of a bring-your-own or Amazon algorithm job: its image (or `image` when given) with the
 * job's artifacts.
 *
 * @category constructors
 */
export const imageModel = (s: ImageServing) => {
  const env = s.env !== undefined && Object.keys(s.env).length > 0 ? { environment: s.env } : {}
  const errors: PresetError[] = [...ignoredErrors(s.given)]
  const trained = s.job.image
  if (trained === undefined && s.image === undefined)
    errors.push(
      presetError(
        'image',
        s.job.algorithmName !== undefined
          ? 'a job trained from an image: one trained with an algorithm resource is served through a model package (modelPackageFromTraining, then modelFromPackage)'
          : 'a job with an image to serve, or an image option',
        s.job.algorithmName,
      ),
    )
  const image = s.image ?? (trained !== undefined ? servingImageOf(trained).image : undefined)
  return model(s.name, {
    ...s.fields,
    container: { ...(image !== undefined ? { image } : {}), modelDataUrl: s.modelData, ...env },
    ...(errors.length > 0 ? { presetErrors: errors } : {}),
  } as Body<ModelStep>)
}
