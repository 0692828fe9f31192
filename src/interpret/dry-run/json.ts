/**
 * Machine-readable plan: the requests in order, symbolic leaves kept as their JSON form
 * (`{"_tag":"Ref","step":"train","path":[…]}`), so another tool can resolve them.
 *
 * @since 0.1.0
 */
import type { Plan } from '../plan/plan.js'
import { withCodeUris, type ResolvedAssets } from '../code/assets.js'

/**
 * With `assets` (packed by `resolveAssets`), code leaves are their S3 URIs and `assets` lists each
 * archive: sha256, size, files, bucket, key and URI.
 *
 * @category interpreters
 */
export const toJsonPlan = (planned: Plan, options: { readonly assets?: ResolvedAssets } = {}): string => {
  const plan = options.assets === undefined ? planned : withCodeUris(planned, options.assets)
  return JSON.stringify(
    {
      params: plan.params,
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
