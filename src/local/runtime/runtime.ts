/**
 * A container runtime: what the local backend needs to start the hosts of one job (training or
 * serving) and to be sure nothing of it is left behind. The Docker runtime runs the job's image; the
 * process runtime runs a script-mode entry point as host processes with the same directories and the
 * training toolkit's environment. The local backend prepares every folder and file the SageMaker
 * container contract asks for; a runtime only starts, watches and removes.
 *
 * @since 0.2.0
 */

/** A folder of this machine seen inside the job at `target`. */
export interface Mount {
  readonly source: string
  readonly target: string
  readonly readOnly: boolean
}

/** One host of a job (`algo-1` … `algo-N`). */
export interface HostSpec {
  readonly host: string
  /**
   * The folder that is `/opt/ml` for this host: `input/config/*.json`, `input/data/<channel>`,
   * `model`, `output/data`, `output/failure`, `checkpoints`, `code`. Prepared by the backend.
   */
  readonly optMl: string
  /** Beside `optMl`: read-only `file://` channels at `/opt/ml/input/data/<channel>`, and the like. */
  readonly mounts: ReadonlyArray<Mount>
  /** The job's environment for this host (TRAINING_JOB_NAME, the user's Environment, …). */
  readonly env: Readonly<Record<string, string>>
}

export interface JobSpec {
  /** Unique among running jobs: the physical name (a job, or an endpoint's variant). */
  readonly id: string
  readonly mode: 'train' | 'serve'
  /** The image (Docker), or the one a process job stands in for (shown in messages). */
  readonly image: string
  readonly hosts: ReadonlyArray<HostSpec>
  /** Attached to everything the runtime makes: `sagespec.run`, `sagespec.step`, `sagespec.job`. */
  readonly labels: Readonly<Record<string, string>>
  /** A GPU instance type: ask the engine for GPUs, and fail clearly where it has none. */
  readonly gpu: boolean
  /** A memory limit (bytes); none by default. */
  readonly memoryBytes?: number
  /**
   * Script mode (the process runtime needs it; Docker ignores it): the entry point and the folder
   * the source archive was unpacked into. Hyperparameters become `--name value` arguments.
   */
  readonly script?: { readonly program: string; readonly codeDir: string }
  /** Serving: the port the server listens on inside the job (8080 unless SAGEMAKER_BIND_TO_PORT). */
  readonly servePort?: number
  /**
   * Keep running when the runtime closes (an endpoint outlives the command that created it, as in
   * the cloud): closing only lets go of it; a later command removes it with `sweep`. @default false
   */
  readonly detached?: boolean
}

export interface HostExit {
  readonly host: string
  readonly exitCode: number
  readonly oomKilled: boolean
}

export interface JobHandle {
  /** Serving: where each host listens, on loopback. */
  readonly addresses: ReadonlyArray<{ readonly host: string; readonly port: number }>
  /** Resolves when every host has exited (training), or when a server exits (serving). */
  readonly exited: Promise<ReadonlyArray<HostExit>>
  /** Stop every host (SIGTERM, then SIGKILL after `graceMs`) and remove what was made for it. Idempotent. */
  readonly stop: (graceMs?: number) => Promise<void>
}

export interface Runtime {
  readonly kind: 'docker' | 'process'
  /** Words for the person running: which engine or interpreter, and why it was chosen. */
  readonly describe: string
  /** Why this job cannot start here (a missing image, no GPU…), before anything starts; undefined if it can. */
  readonly check: (job: JobSpec) => Promise<string | undefined>
  /** Start every host; each output line reaches `onLine` with its host. */
  readonly start: (job: JobSpec, onLine: (host: string, line: string) => void) => Promise<JobHandle>
  /** Remove whatever carries these labels and is still there (after a crash of an earlier command). */
  readonly sweep: (labels: Readonly<Record<string, string>>) => Promise<void>
  readonly close: () => Promise<void>
}
