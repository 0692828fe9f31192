/**
 * Machine-readable plan: the requests in order, symbolic leaves kept as their JSON form
 * (`{"_tag":"Ref","step":"train","path":[…]}`), so another tool can resolve them (or, with
 * `--sample`, already resolved with sample values, which a `sample` key says).
 *
 * @since 0.1.0
 */
import type { Plan, PlannedStep } from '../plan/plan.js'
import { withCodeUris, type ResolvedAssets } from '../code/assets.js'
import { fileSupport } from './targets.js'

/** What a sampled plan says about its values (`plan --sample`). */
export const sampleNote = (runId: string): string =>
  `every run-time value below is a sample (run stamp ${runId}, params as bound or at their defaults, each step's outputs as if it had run)`

/**
 * With `assets` (packed by `resolveAssets`), code leaves are their S3 URIs and `assets` lists each
 * archive: sha256, size, files, bucket, key and URI.
 *
 * @category interpreters
 */
export const toJsonPlan = (planned: Plan, options: JsonPlanOptions = {}): string => {
  const plan = options.assets === undefined ? planned : withCodeUris(planned, options.assets)
  return JSON.stringify(document(plan, options, plan.steps.map(stepDocument)), null, 2) + '\n'
}

export interface JsonPlanOptions {
  readonly assets?: ResolvedAssets
  readonly sample?: { readonly runId: string }
}

const stepDocument = (p: PlannedStep) => ({ name: p.name, kind: p.kind, dependsOn: p.dependsOn, physicalName: p.physicalName, requests: p.requests })

// The printed plan, `steps` last (the streamed form writes the steps into its brackets).
const document = (plan: Plan, options: JsonPlanOptions, steps: ReadonlyArray<ReturnType<typeof stepDocument>>) => {
  const support = fileSupport(plan)
  return {
    ...(options.sample !== undefined ? { sample: sampleNote(options.sample.runId) } : {}),
    params: plan.params,
    // Only for plans naming file:// locations: which targets can run them (`targets.ts`).
    ...(support === undefined ? {} : { targets: support.targets }),
    ...(options.assets === undefined
      ? {}
      : {
          assets: options.assets.archives.map((a) => ({
            _tag: a._tag,
            code: a.code,
            usedBy: a.usedBy,
            sha256: a.sha256,
            size: a.size,
            files: a.files,
            bucket: a.location.bucket,
            key: a.location.key,
            uri: a.location.uri,
          })),
          repacks: options.assets.repacks.map((r) => ({
            _tag: r._tag,
            model: r.repack.model,
            code: r.repack.code,
            codeSha256: r.codeSha256,
            size: r.size,
            files: r.files,
            target: r.target,
            dependsOn: r.dependsOn,
            usedBy: r.usedBy,
          })),
        }),
    steps,
  }
}

// Steps are stringified this many at a time by `writeJsonPlan`: only one batch's text is alive at once.
const BATCH = 32

// A step nested two levels deep is indented as in the whole plan (the plan holds `"steps"`, which
// holds the step): `[[a, b]]` prints as `[\n  [\n    {a},\n    {b}\n  ]\n]`.
const OPEN = '[\n  [\n'
const CLOSE = '\n  ]\n]'

/**
 * `toJsonPlan`'s text handed to `write` in pieces, in order (joined, they are that text byte for
 * byte), so a large plan is written out without ever being one string.
 *
 * @category interpreters
 */
export const writeJsonPlan = (planned: Plan, options: JsonPlanOptions, write: (chunk: string) => void): void => {
  const plan = options.assets === undefined ? planned : withCodeUris(planned, options.assets)
  const steps = plan.steps
  // Everything but the steps, ending in `"steps": []\n}`: the steps go between those brackets.
  const head = JSON.stringify(document(plan, options, []), null, 2)
  if (steps.length === 0) return write(head + '\n')
  write(head.slice(0, head.length - '[]\n}'.length) + '[\n')
  for (let i = 0; i < steps.length; i += BATCH) {
    const text = JSON.stringify([steps.slice(i, i + BATCH).map(stepDocument)], null, 2)
    write((i === 0 ? '' : ',\n') + text.slice(OPEN.length, text.length - CLOSE.length))
  }
  write('\n  ]\n}\n')
}

/**
 * Does a loaded value look like this module's output rather than a program? (Someone fed a plan back
 * to a command that takes a program.) Plans list steps with `kind` and `requests`; programs' steps
 * have a `_tag`.
 */
export const isJsonPlan = (u: unknown): boolean => {
  if (typeof u !== 'object' || u === null || !Array.isArray((u as { readonly steps?: unknown }).steps)) return false
  const steps = (u as { readonly steps: ReadonlyArray<unknown> }).steps
  return steps.length > 0 && steps.every((s) => typeof s === 'object' && s !== null && 'kind' in s && 'requests' in s && !('_tag' in s))
}
