/**
 * Where local jobs read and write: `file://` URIs (absolute, or relative to the program's folder) and
 * `s3://` URIs through the context's S3 client (any S3-compatible endpoint). Shared by training,
 * transform and serving: list and fetch inputs, place outputs where the cloud would.
 *
 * @since 0.2.0
 */
import { cpSync, createWriteStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import type { LocalContext } from './context.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type Location =
  | { readonly _tag: 'File'; readonly path: string }
  | { readonly _tag: 'S3'; readonly bucket: string; readonly key: string }

/** One object (or file) under a location, with the path it takes below the channel's folder. */
export interface Item {
  readonly location: Location
  readonly relative: string
}

// -------------------------------------------------------------------------------------
// parsing
// -------------------------------------------------------------------------------------

/**
 * `file:///abs`, `file://relative/path` (relative to `baseDir`, as programs write them) or
 * `s3://bucket/key`. Anything else is undefined.
 */
export const parseLocation = (uri: string, baseDir: string): Location | undefined => {
  if (uri.startsWith('file://')) {
    const rest = uri.slice('file://'.length)
    if (rest.startsWith('/')) return { _tag: 'File', path: fileURLToPath(`file://${rest}`) }
    return { _tag: 'File', path: resolve(baseDir, decodeURIComponent(rest)) }
  }
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri)
  return m === null ? undefined : { _tag: 'S3', bucket: m[1]!, key: m[2]! }
}

export const showLocation = (l: Location): string => (l._tag === 'File' ? `file://${l.path}` : `s3://${l.bucket}/${l.key}`)

/** `base` + `/` + parts, without doubled slashes (`s3://b/out/` + `job` → `s3://b/out/job`). */
export const joinUri = (base: string, ...parts: ReadonlyArray<string>): string => [base.replace(/\/+$/, ''), ...parts].join('/')

/** A relative path that stays below its folder, or undefined. */
export const safeRelative = (p: string): string | undefined => {
  const clean = p.replace(/^\/+/, '')
  if (clean === '' || clean.split('/').some((s) => s === '..' || s === '.')) return undefined
  return clean
}

// -------------------------------------------------------------------------------------
// reading
// -------------------------------------------------------------------------------------

const walkFiles = (root: string, at: string = root): string[] =>
  readdirSync(at, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((d) => (d.isDirectory() ? walkFiles(root, join(at, d.name)) : [join(at, d.name)]))

/**
 * Every object under a prefix (S3) or every file below a path (a file gives itself), in key order,
 * each with its path relative to the prefix — where the cloud puts it below the channel's folder.
 */
export const listItems = async (ctx: LocalContext, l: Location): Promise<ReadonlyArray<Item>> => {
  if (l._tag === 'File') {
    if (!existsSync(l.path)) return []
    if (!statSync(l.path).isDirectory()) return [{ location: l, relative: l.path.split(/[\\/]/).pop()! }]
    return walkFiles(l.path).map((f) => ({ location: { _tag: 'File', path: f }, relative: relative(l.path, f).split(/[\\/]/).join('/') }))
  }
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3')
  const s3 = await ctx.s3()
  const out: Item[] = []
  let token: string | undefined
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: l.bucket, Prefix: l.key, ...(token === undefined ? {} : { ContinuationToken: token }) }))
    for (const o of page.Contents ?? []) {
      const key = o.Key ?? ''
      if (key.endsWith('/')) continue
      const rel = safeRelative(key === l.key ? key.split('/').pop()! : key.slice(l.key.length))
      if (rel !== undefined) out.push({ location: { _tag: 'S3', bucket: l.bucket, key }, relative: rel })
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined
  } while (token !== undefined)
  return out.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0))
}

/** Copy or download one object to `file`. */
export const fetchTo = async (ctx: LocalContext, l: Location, file: string): Promise<void> => {
  mkdirSync(dirname(file), { recursive: true })
  if (l._tag === 'File') return cpSync(l.path, file)
  const { GetObjectCommand } = await import('@aws-sdk/client-s3')
  const got = await (await ctx.s3()).send(new GetObjectCommand({ Bucket: l.bucket, Key: l.key }))
  await pipeline(got.Body as Readable, createWriteStream(file))
}

/** The text of a small object (a manifest). */
export const readText = async (ctx: LocalContext, l: Location): Promise<string> => {
  if (l._tag === 'File') return (await import('node:fs/promises')).readFile(l.path, 'utf8')
  const { GetObjectCommand } = await import('@aws-sdk/client-s3')
  const got = await (await ctx.s3()).send(new GetObjectCommand({ Bucket: l.bucket, Key: l.key }))
  return got.Body!.transformToString('utf8')
}

// -------------------------------------------------------------------------------------
// writing
// -------------------------------------------------------------------------------------

/** Put a local file at `l` (a folder on disk, or an S3 object, uploaded in parts when large). */
export const putFile = async (ctx: LocalContext, file: string, l: Location): Promise<void> => {
  if (l._tag === 'File') {
    mkdirSync(dirname(l.path), { recursive: true })
    return cpSync(file, l.path)
  }
  const [{ Upload }, { createReadStream }] = await Promise.all([import('@aws-sdk/lib-storage'), import('node:fs')])
  await new Upload({ client: await ctx.s3(), params: { Bucket: l.bucket, Key: l.key, Body: createReadStream(file) } }).done()
}

/** Put every file below `dir` under `l`, keeping relative paths. */
export const putFolder = async (ctx: LocalContext, dir: string, l: Location): Promise<void> => {
  if (!existsSync(dir)) return
  for (const f of walkFiles(dir)) {
    const rel = relative(dir, f).split(/[\\/]/).join('/')
    await putFile(ctx, f, l._tag === 'File' ? { _tag: 'File', path: join(l.path, rel) } : { _tag: 'S3', bucket: l.bucket, key: joinUri(l.key, rel).replace(/^\//, '') })
  }
}

export const isInside = (root: string, p: string): boolean => {
  const r = relative(root, p)
  return r === '' || (!r.startsWith('..') && !isAbsolute(r))
}
