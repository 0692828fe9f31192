/**
 * `plan --target aws|local|airflow`: what that target's own checks refuse in the plan, found without
 * running or exporting anything and worded as `run` and `export airflow` word it. Only checks that
 * need no machine or account: for local, those that hold for either runtime (which images are here
 * is `run`'s question); for Airflow, those that do not depend on export options (schedule, code
 * archive folder). Each target's module is loaded only when asked for.
 *
 * @since 0.3.0
 */
import { message } from '../spec/errors.js'
import type { Plan } from '../interpret/plan/plan.js'
import type { PlanTarget } from '../interpret/dry-run/targets.js'

export interface PlanTargetOptions {
  /** Where the program lives: relative `file://` paths are read from here. */
  readonly baseDir: string
  /** AWS: `--upload-local-data`, which lets `file://` channels and transform inputs through. */
  readonly uploadLocalData?: string
}

// Airflow errors decided by export options, which `plan` does not take.
const EXPORT_OPTION_ERRORS: ReadonlySet<string> = new Set(['RequiredParamOnSchedule', 'CodeNotPacked', 'CodeNeedsArchive'])

const CHECKS: { readonly [K in PlanTarget]: (plan: Plan, o: PlanTargetOptions) => Promise<ReadonlyArray<string>> } = {
  aws: async (plan, o) => {
    const { awsProblems } = await import('../interpret/aws/capabilities.js')
    return awsProblems(plan, o.uploadLocalData === undefined ? {} : { uploadLocalData: o.uploadLocalData }).map(message)
  },
  local: async (plan, o) => {
    const [{ localProblems }, { FAMILIES }, { mergeHandlers }] = await Promise.all([
      import('../local/capabilities.js'),
      import('../local/index.js'),
      import('../local/backend.js'),
    ])
    // 'docker': the process runtime's extra refusals depend on which images are on the machine.
    return localProblems(plan.steps, mergeHandlers(FAMILIES), { runtime: 'docker', baseDir: o.baseDir }).map(message)
  },
  airflow: async (plan) => {
    const { airflowProblems, describeExportError } = await import('../interpret/airflow/check.js')
    return airflowProblems(plan, { schedule: null })
      .filter((e) => !EXPORT_OPTION_ERRORS.has(e._tag))
      .map(describeExportError)
  },
}

/** One line per problem, each naming its path; empty when the target can take the plan. */
export const planTargetProblems = (target: PlanTarget, plan: Plan, options: PlanTargetOptions): Promise<ReadonlyArray<string>> => CHECKS[target](plan, options)
