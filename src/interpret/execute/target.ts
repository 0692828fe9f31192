/**
 * What a run target (AWS, local) gives the `run` command: its capability checks, which run before
 * anything starts, and its backend. Each target lives in its own module, loaded only when chosen.
 *
 * @since 0.2.0
 */
import type { SpecError } from '../../spec/errors.js'
import type { Plan } from '../plan/plan.js'
import type { Backend, Progress } from './port.js'

export interface TargetOptions {
  /** The state folder (`.sagespec`): journals, local jobs and endpoints. */
  readonly stateDir: string
  /** Where the program lives: relative paths in it are resolved against this. */
  readonly baseDir: string
  /** Local: `docker` or `process`; absent: docker when an engine answers, else process. */
  readonly runtime?: 'docker' | 'process'
  /** AWS: a named profile of the shared config. */
  readonly profile?: string
  readonly region?: string
  /** AWS: attempts per call, the first included (the executor's retry policy for SageMaker; the SDK's for S3 and logs). */
  readonly maxAttempts?: number
  /** AWS: where `file://` channels are uploaded (`s3://bucket/prefix`). */
  readonly uploadLocalData?: string
  /**
   * Objects the program module exports to put in S3 before any step reads them (a RecordSet's
   * shards and manifest, `export const uploads`): `prepare` puts those not there yet.
   */
  readonly uploads?: ReadonlyArray<{ readonly bucket: string; readonly key: string; readonly uri: string; readonly bytes: Uint8Array }>
  /** Progress lines for the person running the command (which runtime was chosen, and why). */
  readonly say?: (line: string) => void
  /** Every progress event of an upload `prepare` makes (`--upload-local-data`), for a terminal's live line; `say` still gets the final one. */
  readonly onUpload?: (p: Progress) => void
}

export interface TargetModule {
  /**
   * What this target cannot run, each problem at its path, found before anything starts. May also
   * return a rewritten plan (e.g. `file://` channels uploaded to S3).
   */
  readonly prepare: (plan: Plan, options: TargetOptions) => Promise<{ readonly errors: ReadonlyArray<SpecError>; readonly plan: Plan }>
  readonly createBackend: (options: TargetOptions) => Promise<Backend>
  /**
   * Ctrl-C stops this target's running jobs (and a resume starts them again), as if
   * `--stop-on-interrupt` were given: local jobs are this machine's own processes and containers,
   * which must not be left behind. Cloud jobs are left running unless asked. @default false
   */
  readonly stopOnInterrupt?: boolean
}
