/**
 * Physical names: `<base>-<run stamp>`, within SageMaker's limits (63 characters; 32 for tuning jobs).
 * The stamp is the run's, never the clock's at definition time, so the same program always plans the
 * same names and every run gets fresh ones. Lives in `spec` so presets can name the job they describe
 * (framework containers receive it as `sagemaker_job_name`) exactly as the plan will.
 *
 * @since 0.1.0
 */
import type { Join, Val } from './val.js'
import { isExpr, join, runId } from './val.js'

/** The longest run stamp any interpreter may use (`{{ ts_nodash }}` is 15 characters: 20261125T102030). */
export const RUN_ID_MAX_LENGTH = 15

export const JOB_NAME_LIMIT = 63
export const TUNING_JOB_NAME_LIMIT = 32

/** Shorten a base so that `<base>-<stamp>` fits `limit`, and never end it on a hyphen. */
export const fitBase = (base: string, limit: number): string => {
  const cut = base.slice(0, limit - RUN_ID_MAX_LENGTH - 1)
  return cut.replace(/-+$/, '') || cut
}

/** `<base>-<run>` */
export const stamped = (base: Val<string>, limit: number = JOB_NAME_LIMIT): Join =>
  join('-', [isExpr(base) ? (base as Join) : fitBase(base as string, limit), runId])
