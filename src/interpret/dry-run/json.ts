/**
 * Machine-readable plan: the requests in order, symbolic leaves kept as their JSON form
 * (`{"_tag":"Ref","step":"train","path":[…]}`), so another tool can resolve them (or, with
 * `--sample`, already resolved with sample values, which a `sample` key says).
 *
 * @since 0.1.0
 */
import type { Plan } from '../plan/plan.js'
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
export const toJsonPlan = (planned: Plan, options: { readonly assets?: ResolvedAssets; readonly sample?: { readonly runId: string } } = {}): string => {
  const plan = options.assets === undefined ? planned : withCodeUris(planned, options.assets)
  const support = fileSupport(plan)
  return JSON.stringify(
    {
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
      steps: plan.steps.map((p) => ({ name: p.name, kind: p.kind, dependsOn: p.dependsOn, physicalName: p.physicalName, requests: p.requests })),
    },
    null,
    2,
  ) + '\n'
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
