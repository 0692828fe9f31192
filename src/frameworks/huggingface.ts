/**
 * Hugging Face: transformers on PyTorch (or TensorFlow) Deep Learning Containers. The image is chosen
 * by the transformers version and the base framework's version together; training images are GPU
 * only. The serving container can run without a script (it serves a pipeline from the artifacts or
 * `HF_MODEL_ID`/`HF_TASK` in `env`), so the model preset's code options are optional.
 *
 * @since 0.1.0
 */
import { distributionErrors, distributionHyperParameters, type Distribution } from './distribution.js'
import {
  frameworkModel,
  frameworkTraining,
  minorOf,
  optionalCode,
  presetError,
  type CodeOptions,
  type FrameworkTrainingOptions,
  type ImagePaths,
  type PresetError,
  type ServingOptions,
} from './script-mode.js'

export interface BaseVersions {
  /** e.g. `2.1.0`; exactly one of `pytorchVersion` and `tensorflowVersion`. */
  readonly pytorchVersion?: string
  readonly tensorflowVersion?: string
}

export interface HuggingFaceOptions extends FrameworkTrainingOptions, BaseVersions {
  /** e.g. `4.36`; see `supported('huggingface')`. */
  readonly transformersVersion: string
  /** `mpi` or `smdistributed` data parallel. */
  readonly distribution?: Distribution
}

/** `pytorch2.1.0` (the images' base framework key), the option it came from, and what is wrong with it. */
export const baseFrameworkOf = (v: { readonly [K in keyof BaseVersions]?: BaseVersions[K] | undefined }): { readonly base?: string; readonly paths: ImagePaths; readonly errors: ReadonlyArray<PresetError> } => {
  const paths: ImagePaths = { version: 'transformersVersion', baseFramework: v.tensorflowVersion !== undefined && v.pytorchVersion === undefined ? 'tensorflowVersion' : 'pytorchVersion' }
  if ((v.pytorchVersion === undefined) === (v.tensorflowVersion === undefined))
    return {
      paths,
      errors: [
        presetError(
          'pytorchVersion',
          'exactly one of pytorchVersion and tensorflowVersion (the base framework of the transformers image)',
          v.pytorchVersion === undefined ? undefined : { pytorchVersion: v.pytorchVersion, tensorflowVersion: v.tensorflowVersion },
        ),
      ],
    }
  return { base: v.pytorchVersion !== undefined ? `pytorch${v.pytorchVersion}` : `tensorflow${v.tensorflowVersion ?? ''}`, paths, errors: [] }
}

/** A Hugging Face training job. @category constructors */
export const huggingface = (name: string, options: HuggingFaceOptions) => {
  const { transformersVersion, pytorchVersion, tensorflowVersion, distribution, ...rest } = options
  const { base, paths, errors } = baseFrameworkOf({ pytorchVersion, tensorflowVersion })
  return frameworkTraining(name, rest, {
    info: { name: 'huggingface', version: transformersVersion, ...(base !== undefined ? { baseFramework: base } : {}) },
    image: { framework: 'huggingface', ...(base !== undefined ? { baseFramework: base } : {}) },
    paths,
    hyperParameters: (job) => distributionHyperParameters(distribution, job),
    errors: [...errors, ...distributionErrors('huggingface', transformersVersion, distribution, options.instanceType)],
  })
}

export interface HuggingFaceModelOptions extends ServingOptions, BaseVersions, Partial<CodeOptions> {
  readonly transformersVersion: string
  readonly modelServerWorkers?: number
}

/** A Hugging Face model (the inference toolkit; a script only when `entryPoint` is given). @category constructors */
export const huggingfaceModel = (name: string, options: HuggingFaceModelOptions) => {
  const { transformersVersion, pytorchVersion, tensorflowVersion, modelServerWorkers, entryPoint, sourceDir, dependencies, codeLocation, ...rest } = options
  const { base, paths, errors } = baseFrameworkOf({ pytorchVersion, tensorflowVersion })
  const code = optionalCode({ entryPoint, sourceDir, dependencies, codeLocation })
  return frameworkModel(name, rest, {
    image: { framework: 'huggingface', ...(base !== undefined ? { baseFramework: base } : {}) },
    versions: [transformersVersion, minorOf(transformersVersion)],
    paths,
    // The Hugging Face inference toolkit reads the script from the model archive (the SDK always repacks).
    ...(code.code !== undefined ? { code: code.code, repack: true } : {}),
    ...(modelServerWorkers !== undefined ? { modelServerWorkers } : {}),
    errors: [...errors, ...code.errors],
  })
}
