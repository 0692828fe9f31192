/**
 * Chainer: script-mode training and serving (`sagemaker-chainer` images). Chainer has its own MPI
 * settings instead of `distribution`; each becomes a hyperparameter only when set.
 *
 * @since 0.1.0
 */
import { frameworkTraining, presetError, scriptModel, type FrameworkTrainingOptions, type HyperParameters, type PresetError, type ScriptModelOptions } from './script-mode.js'

export interface ChainerOptions extends FrameworkTrainingOptions {
  /** e.g. `5.0.0`; see `supported('chainer')`. */
  readonly frameworkVersion: string
  /** Run the script under `mpirun` (ChainerMN). */
  readonly useMpi?: boolean
  /** Processes in total across hosts. */
  readonly numProcesses?: number
  /** Processes per host. */
  readonly processSlotsPerHost?: number
  /** Extra `mpirun` options. */
  readonly additionalMpiOptions?: string
}

export const CHAINER_HP = {
  useMpi: 'sagemaker_use_mpi',
  numProcesses: 'sagemaker_num_processes',
  processSlotsPerHost: 'sagemaker_process_slots_per_host',
  additionalMpiOptions: 'sagemaker_additional_mpi_options',
} as const

const countErrors = (o: ChainerOptions): ReadonlyArray<PresetError> =>
  (['numProcesses', 'processSlotsPerHost'] as const).flatMap((k) => {
    const v = o[k]
    return v === undefined || (Number.isInteger(v) && v >= 1) ? [] : [presetError(k, 'a whole number of at least 1', v)]
  })

/** A Chainer training job. @category constructors */
export const chainer = (name: string, options: ChainerOptions) => {
  const { frameworkVersion, useMpi, numProcesses, processSlotsPerHost, additionalMpiOptions, ...rest } = options
  const mpi: HyperParameters = {
    ...(useMpi !== undefined ? { [CHAINER_HP.useMpi]: useMpi } : {}),
    ...(numProcesses !== undefined ? { [CHAINER_HP.numProcesses]: numProcesses } : {}),
    ...(processSlotsPerHost !== undefined ? { [CHAINER_HP.processSlotsPerHost]: processSlotsPerHost } : {}),
    ...(additionalMpiOptions !== undefined ? { [CHAINER_HP.additionalMpiOptions]: additionalMpiOptions } : {}),
  }
  return frameworkTraining(name, rest, {
    info: { name: 'chainer', version: frameworkVersion },
    image: { framework: 'chainer' },
    paths: { version: 'frameworkVersion' },
    hyperParameters: () => mpi,
    errors: countErrors(options),
  })
}

export type ChainerModelOptions = ScriptModelOptions

/** A Chainer model served with the user's inference script. @category constructors */
export const chainerModel = scriptModel('chainer')
