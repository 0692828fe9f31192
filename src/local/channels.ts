/**
 * Input channels, staged for each host as the cloud stages them in File mode: a `file://` folder is
 * mounted read-only at `/opt/ml/input/data/<channel>`; `s3://` objects are downloaded there, each at
 * its key relative to the prefix. `ShardedByS3Key` gives host i of N every N-th object (in key order),
 * like the cloud's split; a `ManifestFile` names the objects (`[{"prefix": …}, "key", …]`).
 *
 * @since 0.2.0
 */
import { join } from 'node:path'
import type { Channel } from '@aws-sdk/client-sagemaker'
import * as E from 'fp-ts/lib/Either.js'
import type { LocalContext } from './context.js'
import { fileSource } from './contract.js'
import type { Mount } from './runtime/runtime.js'
import { fetchTo, joinUri, listItems, parseLocation, readText, safeRelative, showLocation, type Item, type Location } from './storage.js'

export interface StagedHost {
  readonly mounts: ReadonlyArray<Mount>
  /** How many objects were downloaded or copied for this host. */
  readonly fetched: number
}

/** The objects a manifest names, or why it cannot be read. */
export const manifestItems = (text: string, baseDir: string): E.Either<string, ReadonlyArray<Item>> => {
  let u: unknown
  try {
    u = JSON.parse(text)
  } catch (e) {
    return E.left(`the manifest is not JSON (${(e as Error).message})`)
  }
  if (!Array.isArray(u) || u.length === 0 || typeof u[0] !== 'object' || u[0] === null || typeof (u[0] as { prefix?: unknown }).prefix !== 'string')
    return E.left('expected a manifest [{"prefix": "s3://bucket/prefix/"}, "relative/key", …]')
  const prefix = (u[0] as { prefix: string }).prefix
  const items: Item[] = []
  for (const rel of u.slice(1)) {
    const safe = typeof rel === 'string' ? safeRelative(rel) : undefined
    const location = safe === undefined ? undefined : parseLocation(prefix.endsWith('/') ? `${prefix}${safe}` : joinUri(prefix, safe), baseDir)
    if (safe === undefined || location === undefined) return E.left(`manifest entry ${JSON.stringify(rel)}: expected a relative key without ".."`)
    items.push({ location, relative: safe })
  }
  return E.right(items)
}

/** Host `index` of `count`: every count-th item, starting at index. */
export const shard = <A>(items: ReadonlyArray<A>, index: number, count: number): ReadonlyArray<A> => items.filter((_, i) => i % count === index)

const channelError = (c: Channel, why: string) => new Error(`channel "${c.ChannelName}": ${why}`)

/**
 * Stage one channel for every host (`optMls[i]` is host i's `/opt/ml`). Returns each host's mounts;
 * throws an Error with the channel's name for what a user can fix (a missing folder, a bad manifest).
 */
export const stageChannel = async (ctx: LocalContext, c: Channel, optMls: ReadonlyArray<string>): Promise<ReadonlyArray<StagedHost>> => {
  const name = c.ChannelName!
  const target = `/opt/ml/input/data/${name}`
  const file = fileSource(c)
  const s3 = c.DataSource?.S3DataSource
  const uri = file?.FileUri ?? s3?.S3Uri
  const location: Location | undefined = uri === undefined ? undefined : parseLocation(uri, ctx.baseDir)
  if (location === undefined) throw channelError(c, `cannot read ${uri ?? 'a data source other than S3 or file://'} locally (expected s3:// or file://)`)
  const sharded = (s3?.S3DataDistributionType ?? file?.FileDataDistributionType) === 'ShardedByS3Key' && optMls.length > 1
  let items: ReadonlyArray<Item>
  if (s3?.S3DataType === 'ManifestFile') {
    const m = manifestItems(await readText(ctx, location), ctx.baseDir)
    if (E.isLeft(m)) throw channelError(c, `${showLocation(location)}: ${m.left}`)
    items = m.right
  } else {
    // A local folder, replicated to every host, is mounted rather than copied.
    if (location._tag === 'File' && !sharded) {
      const all = await listItems(ctx, location)
      if (all.length === 0) throw channelError(c, `${location.path}: no such file or folder, or it is empty`)
      const single = all.length === 1 && all[0]!.location._tag === 'File' && all[0]!.location.path === location.path
      return optMls.map(() => ({ mounts: [{ source: location.path, target: single ? `${target}/${all[0]!.relative}` : target, readOnly: true }], fetched: 0 }))
    }
    items = await listItems(ctx, location)
  }
  if (items.length === 0) throw channelError(c, `${showLocation(location)}: no objects`)
  return Promise.all(
    optMls.map(async (optMl, i) => {
      const mine = sharded ? shard(items, i, optMls.length) : items
      for (const it of mine) await fetchTo(ctx, it.location, join(optMl, 'input/data', name, ...it.relative.split('/')))
      return { mounts: [], fetched: mine.length }
    }),
  )
}
