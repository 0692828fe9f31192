/**
 * Distributed training launchers. The containers start parameter servers, `mpirun` or `torchrun`
 * when certain hyperparameters say so; a preset's `distribution` option is mapped to exactly those.
 * Which framework supports which launcher (and from which version) is data, below; an unsupported
 * combination is a preset error at `distribution.<launcher>`.
 *
 * @since 0.1.0
 */
import { compareVersions, processorOf } from './images.js'
import { presetError, type HyperParameters, type PresetError } from './script-mode.js'
import type { Val } from '../spec/val.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export interface Distribution {
  /** Parameter servers on every host (TensorFlow, MXNet). */
  readonly parameterServer?: { readonly enabled: boolean }
  /** `mpirun` (Horovod and friends). */
  readonly mpi?: {
    readonly enabled: boolean
    /** Sent only when given; the container's default is one process per host. */
    readonly processesPerHost?: number
    /** Extra `mpirun` options. @default '' */
    readonly customMpiOptions?: string
  }
  /** `torchrun` (PyTorch). */
  readonly torchDistributed?: { readonly enabled: boolean }
  /** SageMaker's distributed data parallel library. */
  readonly smdistributed?: { readonly dataParallel: { readonly enabled: boolean; readonly customMpiOptions?: string } }
}

export type Launcher = keyof Distribution
export const LAUNCHERS: ReadonlyArray<Launcher> = ['parameterServer', 'mpi', 'torchDistributed', 'smdistributed']

/** The hyperparameters each launcher sets (the reference SDK's names). */
export const DISTRIBUTION_HP = {
  parameterServerEnabled: 'sagemaker_parameter_server_enabled',
  mpiEnabled: 'sagemaker_mpi_enabled',
  mpiProcessesPerHost: 'sagemaker_mpi_num_of_processes_per_host',
  mpiCustomOptions: 'sagemaker_mpi_custom_mpi_options',
  torchDistributedEnabled: 'sagemaker_torch_distributed_enabled',
  dataParallelEnabled: 'sagemaker_distributed_dataparallel_enabled',
  dataParallelCustomOptions: 'sagemaker_distributed_dataparallel_custom_mpi_options',
  instanceType: 'sagemaker_instance_type',
} as const

/** `from`: the first framework version whose containers have the launcher. */
export interface LauncherSupport {
  readonly from?: string
}

/** Which launchers each framework's containers support; frameworks not listed support none. */
export const DISTRIBUTION_SUPPORT: Readonly<Record<string, Readonly<Partial<Record<Launcher, LauncherSupport>>>>> = {
  tensorflow: { parameterServer: {}, mpi: {}, smdistributed: { from: '2.3' } },
  pytorch: { mpi: {}, torchDistributed: { from: '1.13' }, smdistributed: { from: '1.6' } },
  // The reference SDK refuses distribution for MXNet before 1.3 (its first script-mode version).
  mxnet: { parameterServer: { from: '1.3' }, mpi: { from: '1.3' } },
  // Hugging Face versions are transformers versions; every one in the image table has these.
  huggingface: { mpi: {}, smdistributed: {} },
}

/** The data parallel library runs only on these instance types. */
export const DATA_PARALLEL_INSTANCE_TYPES = ['ml.p3.16xlarge', 'ml.p3dn.24xlarge', 'ml.p4d.24xlarge', 'ml.p4de.24xlarge', 'ml.p5.48xlarge'] as const

// -------------------------------------------------------------------------------------
// mapping
// -------------------------------------------------------------------------------------

interface LauncherContext {
  readonly instanceType: Val<string>
}

const LAUNCHER_HPS: { readonly [K in Launcher]: (d: NonNullable<Distribution[K]>, ctx: LauncherContext) => HyperParameters } = {
  parameterServer: (d) => ({ [DISTRIBUTION_HP.parameterServerEnabled]: d.enabled }),
  mpi: (d) => ({
    [DISTRIBUTION_HP.mpiEnabled]: d.enabled,
    ...(d.processesPerHost !== undefined ? { [DISTRIBUTION_HP.mpiProcessesPerHost]: d.processesPerHost } : {}),
    [DISTRIBUTION_HP.mpiCustomOptions]: d.customMpiOptions ?? '',
  }),
  torchDistributed: (d) => ({ [DISTRIBUTION_HP.torchDistributedEnabled]: d.enabled }),
  smdistributed: (d, ctx) => ({
    [DISTRIBUTION_HP.dataParallelEnabled]: d.dataParallel.enabled,
    [DISTRIBUTION_HP.instanceType]: ctx.instanceType,
    [DISTRIBUTION_HP.dataParallelCustomOptions]: d.dataParallel.customMpiOptions ?? '',
  }),
}

const isEnabled = (d: Distribution, l: Launcher): boolean =>
  l === 'smdistributed' ? d.smdistributed?.dataParallel.enabled === true : (d[l] as { enabled?: boolean } | undefined)?.enabled === true

const given = (d: Distribution): ReadonlyArray<Launcher> => LAUNCHERS.filter((l) => d[l] !== undefined)

/** The hyperparameters of a distribution, in launcher order. */
export const distributionHyperParameters = (d: Distribution | undefined, ctx: LauncherContext): HyperParameters =>
  d === undefined
    ? {}
    : Object.assign({}, ...given(d).map((l) => (LAUNCHER_HPS[l] as (x: unknown, c: LauncherContext) => HyperParameters)(d[l], ctx)))

/** What `framework` at `version` cannot do of `d`. */
export const distributionErrors = (framework: string, version: string, d: Distribution | undefined, instanceType: Val<string>): ReadonlyArray<PresetError> => {
  if (d === undefined) return []
  const support = DISTRIBUTION_SUPPORT[framework] ?? {}
  const offered = Object.keys(support)
  const errors: PresetError[] = given(d).flatMap((l): PresetError[] => {
    const s = support[l]
    if (s === undefined)
      return [
        presetError(
          `distribution.${l}`,
          offered.length === 0 ? `no distribution: ${framework} containers have no launcher for it` : `a launcher ${framework} supports, one of: ${offered.join(', ')}`,
          d[l],
        ),
      ]
    if (s.from !== undefined && compareVersions(version, s.from) < 0)
      return [presetError(`distribution.${l}`, `${framework} ${s.from} or later for ${l}`, version)]
    return []
  })
  const enabled = given(d).filter((l) => isEnabled(d, l))
  if (enabled.length > 1) errors.push(presetError('distribution', 'at most one enabled launcher', enabled.join(', ')))
  if (support.smdistributed !== undefined && d.smdistributed?.dataParallel.enabled === true && typeof instanceType === 'string' && !(DATA_PARALLEL_INSTANCE_TYPES as ReadonlyArray<string>).includes(instanceType))
    errors.push(presetError('instanceType', `one of ${DATA_PARALLEL_INSTANCE_TYPES.join(', ')} for smdistributed data parallel`, instanceType))
  if (d.mpi?.processesPerHost !== undefined && !(Number.isInteger(d.mpi.processesPerHost) && d.mpi.processesPerHost >= 1))
    errors.push(presetError('distribution.mpi.processesPerHost', 'a whole number of at least 1', d.mpi.processesPerHost))
  return errors
}

/** Does the job run under MPI (TensorFlow then keeps `model_dir` local)? */
export const mpiEnabled = (d: Distribution | undefined): boolean => d?.mpi?.enabled === true

/** GPU check shared by presets that refuse GPUs. */
export const isGpu = (instanceType: Val<string>, processor: 'cpu' | 'gpu' | undefined): boolean =>
  typeof instanceType === 'string' ? processorOf(instanceType) === 'gpu' : processor === 'gpu'
