/**
 * TensorFlow: script-mode training and the TensorFlow Serving model.
 *
 * Script mode passes `model_dir` to the script (where to save the model: `<output>/<job>/model` in S3,
 * or `/opt/ml/model` under MPI, where every host writes locally). The v1 "legacy mode" arguments
 * (`trainingSteps`, `evaluationSteps`, `checkpointPath`, `requirementsFile`) do not exist in script
 * mode: scripts read their own arguments from `hyperParameters`.
 *
 * Serving is TensorFlow Serving (`tensorflow-inference` / `sagemaker-tensorflow-serving`): it loads
 * SavedModels from the artifacts and needs no script; an entry point adds the script contract for
 * pre/post-processing.
 *
 * @since 0.1.0
 */
import { distributionErrors, distributionHyperParameters, mpiEnabled, type Distribution } from './distribution.js'
import {
  frameworkModel,
  frameworkTraining,
  minorOf,
  optionalCode,
  presetError,
  trimSlash,
  type CodeOptions,
  type FrameworkTrainingOptions,
  type PresetError,
  type ServingOptions,
} from './script-mode.js'
import { join, type Val } from '../spec/val.js'

/** v1 legacy-mode arguments, refused in script mode. */
export const LEGACY_ARGUMENTS = ['trainingSteps', 'evaluationSteps', 'checkpointPath', 'requirementsFile'] as const

export interface TensorFlowOptions extends FrameworkTrainingOptions {
  /** e.g. `2.16` or `2.16.2`; see `supported('tensorflow')`. */
  readonly frameworkVersion: string
  /** `parameterServer`, `mpi` (Horovod) or `smdistributed` data parallel. */
  readonly distribution?: Distribution
  /** The `model_dir` argument. `false` sends none. @default `<output>/<job>/model`, or `/opt/ml/model` with MPI */
  readonly modelDir?: Val<string> | false
  /** Legacy mode only; pass script arguments as `hyperParameters`. */
  readonly trainingSteps?: never
  /** Legacy mode only; pass script arguments as `hyperParameters`. */
  readonly evaluationSteps?: never
  /** Legacy mode only; save checkpoints where your script chooses (see `checkpoint`). */
  readonly checkpointPath?: never
  /** Legacy mode only; put a `requirements.txt` in `sourceDir`. */
  readonly requirementsFile?: never
}

/** Where the SavedModel goes, as the reference SDK decides it. */
export const MODEL_DIR_UNDER_MPI = '/opt/ml/model'

const legacyErrors = (o: Readonly<Record<string, unknown>>): ReadonlyArray<PresetError> =>
  LEGACY_ARGUMENTS.filter((k) => o[k] !== undefined).map((k) =>
    presetError(k, `no ${k}: it belongs to TensorFlow's legacy mode, and this preset is script mode (give your script the value in hyperParameters)`, o[k]),
  )

/** A TensorFlow script-mode training job. @category constructors */
export const tensorflow = (name: string, options: TensorFlowOptions) => {
  const { frameworkVersion, distribution, modelDir, trainingSteps: _t, evaluationSteps: _e, checkpointPath: _c, requirementsFile: _r, ...rest } = options
  return frameworkTraining(name, rest, {
    info: { name: 'tensorflow', version: frameworkVersion },
    // py2 on TF 1.11/1.12 would select the legacy image; script mode has its own.
    image: { framework: 'tensorflow', scriptMode: true },
    paths: { version: 'frameworkVersion' },
    hyperParameters: (job) => ({
      ...distributionHyperParameters(distribution, job),
      ...(modelDir === false
        ? {}
        : { model_dir: modelDir ?? (mpiEnabled(distribution) ? MODEL_DIR_UNDER_MPI : join('/', [trimSlash(job.outputPath), job.jobName, 'model'])) }),
    }),
    errors: [...legacyErrors(options as unknown as Readonly<Record<string, unknown>>), ...distributionErrors('tensorflow', frameworkVersion, distribution, options.instanceType)],
  })
}

/** Python logging levels → TensorFlow Serving's nginx log levels. */
export const TFS_LOG_LEVELS: Readonly<Record<number, string>> = { 10: 'debug', 20: 'info', 30: 'warn', 40: 'error', 50: 'crit' }
export const TFS_LOG_LEVEL_ENV = 'SAGEMAKER_TFS_NGINX_LOGLEVEL'

export interface TensorFlowServingOptions extends ServingOptions, Partial<CodeOptions> {
  /** A serving version; a training version the serving line lacks falls back to its minor alias (`2.12.0` → `2.12`). */
  readonly frameworkVersion: string
}

/**
 * A TensorFlow Serving model. No script unless `entryPoint` (with `codeLocation`) is given; the
 * container log level becomes `SAGEMAKER_TFS_NGINX_LOGLEVEL`. @category constructors
 */
export const tensorflowServingModel = (name: string, options: TensorFlowServingOptions) => {
  const { frameworkVersion, entryPoint, sourceDir, dependencies, codeLocation, ...rest } = options
  const { code, errors } = optionalCode({ entryPoint, sourceDir, dependencies, codeLocation })
  const level = rest.containerLogLevel
  const nginx = level === undefined ? undefined : TFS_LOG_LEVELS[level]
  return frameworkModel(name, rest, {
    image: { framework: 'tensorflow' },
    versions: [frameworkVersion, minorOf(frameworkVersion)],
    paths: { version: 'frameworkVersion' },
    // TensorFlow Serving reads an entry point only from the model archive's code/ (the SDK repacks).
    ...(code !== undefined ? { code, repack: true } : {}),
    ...(nginx !== undefined ? { env: { [TFS_LOG_LEVEL_ENV]: nginx } } : {}),
    errors: [
      ...errors,
      ...(level !== undefined && nginx === undefined
        ? [presetError('containerLogLevel', 'one of 10, 20, 30, 40, 50 (Python logging levels, mapped to nginx levels)', level)]
        : []),
    ],
  })
}
