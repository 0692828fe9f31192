/**
 * Which run targets can run a plan that names `file://` locations, said in the plan itself rather
 * than first at `run` or `export`. The verdicts come from the targets' own checks: the AWS
 * capability check (`file://` channels and transform inputs can be uploaded with
 * `--upload-local-data`; output paths and model data cannot) and the Airflow export's `LocalOnly`
 * error (a DAG runs on SageMaker, so it reads no local file). A local run reads and writes them.
 *
 * @since 0.3.0
 */
import { localLocations, type LocalLocation } from '../aws/capabilities.js'
import type { Plan } from '../plan/plan.js'

/** Where a plan can go: the run targets and the Airflow export. */
export type PlanTarget = 'local' | 'aws' | 'airflow'

export const PLAN_TARGETS: ReadonlyArray<PlanTarget> = ['local', 'aws', 'airflow']

/** One target's answer for the plan's `file://` locations. */
export type Support =
  | { readonly _tag: 'Runs' }
  /** AWS: every location is data SageMaker reads, which `--upload-local-data` puts in S3 first. */
  | { readonly _tag: 'RunsWithUpload'; readonly paths: ReadonlyArray<string> }
  /** Locations this target can never use (paths in plan order). */
  | { readonly _tag: 'Refused'; readonly paths: ReadonlyArray<string>; readonly why: string }

export interface FileSupport {
  readonly locations: ReadonlyArray<LocalLocation>
  readonly targets: { readonly [K in PlanTarget]: Support }
}

/**
 * Each target's verdict, or undefined when the plan names no `file://` location (every target can
 * take it as far as this is concerned, and the plan says nothing).
 *
 * @category destructors
 */
export const fileSupport = (plan: Plan): FileSupport | undefined => {
  const locations = localLocations(plan)
  if (locations.length === 0) return undefined
  const paths = (ls: ReadonlyArray<LocalLocation>) => ls.map((l) => l.path)
  const written = locations.filter((l) => !l.uploadable)
  return {
    locations,
    targets: {
      local: { _tag: 'Runs' },
      aws:
        written.length === 0
          ? { _tag: 'RunsWithUpload', paths: paths(locations) }
          : { _tag: 'Refused', paths: paths(written), why: 'SageMaker writes outputs and reads model data in S3 only, and only channels and transform inputs can be uploaded' },
      airflow: { _tag: 'Refused', paths: paths(locations), why: 'an Airflow DAG runs on SageMaker, which reads and writes S3, not this machine' },
    },
  }
}

const showSupport = (s: Support): string => {
  switch (s._tag) {
    case 'Runs':
      return 'yes: file:// locations are read and written on this machine'
    case 'RunsWithUpload':
      return `only with --upload-local-data s3://bucket/prefix, which uploads ${s.paths.join(', ')} first`
    case 'Refused':
      return `no: ${s.paths.join(', ')} (${s.why})`
  }
}

/** The text plan's lines (none without `file://` locations). @category destructors */
export const supportLines = (plan: Plan): ReadonlyArray<string> => {
  const f = fileSupport(plan)
  if (f === undefined) return []
  return [
    `Targets: this plan names ${f.locations.length} file:// location${f.locations.length === 1 ? '' : 's'}, so where it can run depends on them (plan --target checks one):`,
    ...PLAN_TARGETS.map((t) => `  ${t.padEnd(8)} ${showSupport(f.targets[t])}`),
  ]
}
