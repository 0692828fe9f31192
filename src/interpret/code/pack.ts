/**
 * Packing training code: `sourcedir.tar.gz` with the contents of `sourceDir` at the archive root and
 * each dependency directory beside them (the reference SDK's layout). The tar is deterministic — entries
 * sorted by path, owner 0, mtime 0, modes reduced to 0644/0755 — so the same files always give the same
 * bytes, and the archive's sha256 names it: `<s3Prefix>/<sha256>/sourcedir.tar.gz`. Identical code is
 * uploaded once and plans that mention it stay stable.
 *
 * The hash is taken over the uncompressed tar, not the gzip stream: a zlib upgrade may change the
 * compressed bytes of the same archive, and must not change its name.
 *
 * Shared by every interpreter that needs code in S3 (Airflow export, AWS and local runs). Reads the
 * file system, synchronously; returns `Either` for everything a user can get wrong.
 *
 * @since 0.1.0
 */
import { createHash } from 'node:crypto'
import { lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs'
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { gzipSync } from 'node:zlib'
import * as E from 'fp-ts/lib/Either.js'
import type { Code } from '../../spec/val.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Why code could not be packed; `path` is the local path at fault. @category errors */
export type PackError =
  | { readonly _tag: 'CodeNotFound'; readonly path: string; readonly expected: 'file' | 'directory' }
  | { readonly _tag: 'EntryPointMissing'; readonly path: string; readonly sourceDir: string }
  | { readonly _tag: 'EscapingSymlink'; readonly path: string; readonly target: string }
  | { readonly _tag: 'UnsupportedFile'; readonly path: string; readonly kind: string }
  | { readonly _tag: 'DuplicateArchivePath'; readonly path: string; readonly archivePath: string }
  | { readonly _tag: 'Unreadable'; readonly path: string; readonly reason: string }

export interface ArchiveEntry {
  /** Path inside the archive, `/`-separated; directories end without a slash. */
  readonly path: string
  readonly type: 'file' | 'directory' | 'symlink'
}

/** @category model */
export interface Packed {
  /** The uncompressed, deterministic tar. */
  readonly tar: Uint8Array
  /** Hex sha256 of `tar`. */
  readonly sha256: string
  readonly entries: ReadonlyArray<ArchiveEntry>
}

/** Where a packed archive goes in S3. @category model */
export interface CodeLocation {
  readonly bucket: string
  readonly key: string
  readonly uri: string
}

// -------------------------------------------------------------------------------------
// locating
// -------------------------------------------------------------------------------------

export const ARCHIVE_NAME = 'sourcedir.tar.gz'

/** `s3://bucket/prefix` + hash → bucket, key and URI of the archive. @category destructors */
export const codeLocation = (c: Code, sha256: string): CodeLocation => {
  const rest = c.s3Prefix.replace(/^s3:\/\//, '')
  const slash = rest.indexOf('/')
  const bucket = slash < 0 ? rest : rest.slice(0, slash)
  const prefix = (slash < 0 ? '' : rest.slice(slash + 1)).replace(/^\/+|\/+$/g, '')
  const key = [prefix, sha256, ARCHIVE_NAME].filter((p) => p !== '').join('/')
  return { bucket, key, uri: `s3://${bucket}/${key}` }
}

/** A stable identity for a `Code` value: equal code descriptions share one archive. */
export const codeKey = (c: Code): string =>
  JSON.stringify([c.entryPoint, c.sourceDir ?? null, c.dependencies ?? [], c.s3Prefix])

/** The local path an uploader that tars one path would tar: the source directory, else the entry point. */
export const codeRoot = (c: Code, cwd: string): string => resolve(cwd, c.sourceDir ?? c.entryPoint)

// -------------------------------------------------------------------------------------
// collecting files
// -------------------------------------------------------------------------------------

interface Item {
  readonly archivePath: string
  readonly local: string
  readonly stats: Stats
}

const isInside = (root: string, p: string): boolean => {
  const r = relative(root, p)
  return r === '' || (!r.startsWith('..') && !isAbsolute(r))
}

const toArchive = (p: string): string => p.split(sep).join('/')

const lstat = (p: string): E.Either<PackError, Stats> => {
  try {
    return E.right(lstatSync(p))
  } catch (e) {
    return E.left({ _tag: 'Unreadable', path: p, reason: (e as Error).message })
  }
}

/**
 * Every entry under `root`, placed under `at` in the archive. Symlinks are kept as links (what
 * `tarfile` does by default) but only when they point, relatively, at something inside `root`: a link
 * out of the directory would pack files the user never meant to ship, or nothing at all on another host.
 */
const walk = (root: string, at: string, out: Item[]): E.Either<PackError, void> => {
  let realRoot: string
  try {
    realRoot = realpathSync(root)
  } catch (e) {
    return E.left({ _tag: 'Unreadable', path: root, reason: (e as Error).message })
  }
  // Iterative, so deep trees do not exhaust the stack.
  const stack: Array<{ local: string; archive: string }> = [{ local: root, archive: at }]
  while (stack.length > 0) {
    const dir = stack.pop()!
    let names: string[]
    try {
      names = readdirSync(dir.local)
    } catch (e) {
      return E.left({ _tag: 'Unreadable', path: dir.local, reason: (e as Error).message })
    }
    for (const name of names) {
      const local = join(dir.local, name)
      const archivePath = dir.archive === '' ? name : `${dir.archive}/${name}`
      const st = lstat(local)
      if (E.isLeft(st)) return st
      const stats = st.right
      if (stats.isSymbolicLink()) {
        const target = readlinkSync(local)
        const lexical = resolve(dirname(local), target)
        let real: string | undefined
        try {
          real = realpathSync(local)
        } catch {
          real = undefined
        }
        if (isAbsolute(target) || !isInside(root, lexical) || real === undefined || !isInside(realRoot, real))
          return E.left({ _tag: 'EscapingSymlink', path: local, target })
        out.push({ archivePath, local, stats })
      } else if (stats.isDirectory()) {
        out.push({ archivePath, local, stats })
        stack.push({ local, archive: archivePath })
      } else if (stats.isFile()) {
        out.push({ archivePath, local, stats })
      } else {
        return E.left({ _tag: 'UnsupportedFile', path: local, kind: stats.isFIFO() ? 'a named pipe' : stats.isSocket() ? 'a socket' : 'a device' })
      }
    }
  }
  return E.right(undefined)
}

const statAs = (p: string, expected: 'file' | 'directory'): E.Either<PackError, Stats> => {
  try {
    const st = statSync(p)
    return (expected === 'file' ? st.isFile() : st.isDirectory()) ? E.right(st) : E.left({ _tag: 'CodeNotFound', path: p, expected })
  } catch {
    return E.left({ _tag: 'CodeNotFound', path: p, expected })
  }
}

/**
 * Where the parts of the code go: `sourcedir` is `sourcedir.tar.gz` (the source directory's contents
 * at the root, each dependency beside them); `model-code` is the `code/` folder serving containers read
 * from inside a model archive (the contents under `code/`, each dependency under `code/lib/`, as the
 * reference SDK repacks models).
 */
export type Layout = 'sourcedir' | 'model-code'

const ROOTS: { readonly [K in Layout]: { readonly code: string; readonly lib: string } } = {
  sourcedir: { code: '', lib: '' },
  'model-code': { code: 'code', lib: 'code/lib' },
}

const under = (at: string, name: string): string => (at === '' ? name : `${at}/${name}`)

const collect = (c: Code, cwd: string, layout: Layout): E.Either<PackError, Item[]> => {
  const items: Item[] = []
  const roots = ROOTS[layout]
  // The folders a layout puts things under are entries of their own, as a tar of a folder has them.
  // (A source directory's own `lib` folder is where dependencies go, then.)
  const folders = [roots.code, ...((c.dependencies ?? []).length > 0 ? [roots.lib] : [])].filter((f) => f !== '')
  if (c.sourceDir !== undefined) {
    const dir = resolve(cwd, c.sourceDir)
    const st = statAs(dir, 'directory')
    if (E.isLeft(st)) return st
    // The reference SDK checks this too: a missing entry point only shows up as a failed job otherwise.
    if (E.isLeft(statAs(resolve(dir, c.entryPoint), 'file'))) return E.left({ _tag: 'EntryPointMissing', path: resolve(dir, c.entryPoint), sourceDir: dir })
    const w = walk(dir, roots.code, items)
    if (E.isLeft(w)) return w
  } else {
    const file = resolve(cwd, c.entryPoint)
    const st = statAs(file, 'file')
    if (E.isLeft(st)) return st
    items.push({ archivePath: under(roots.code, basename(file)), local: file, stats: st.right })
  }
  for (const d of c.dependencies ?? []) {
    const dir = resolve(cwd, d)
    const st = statAs(dir, 'directory')
    if (E.isLeft(st)) return st
    items.push({ archivePath: under(roots.lib, basename(dir)), local: dir, stats: st.right })
    const w = walk(dir, under(roots.lib, basename(dir)), items)
    if (E.isLeft(w)) return w
  }
  for (const f of folders)
    if (!items.some((i) => i.archivePath === f)) {
      const st = statAs(cwd, 'directory')
      if (E.isLeft(st)) return st
      items.push({ archivePath: f, local: cwd, stats: st.right })
    }
  const seen = new Map<string, string>()
  for (const i of items) {
    const other = seen.get(i.archivePath)
    if (other !== undefined) return E.left({ _tag: 'DuplicateArchivePath', path: i.local, archivePath: i.archivePath })
    seen.set(i.archivePath, i.local)
  }
  return E.right(items)
}

// -------------------------------------------------------------------------------------
// tar (POSIX ustar, with pax records for long or non-ASCII names)
// -------------------------------------------------------------------------------------

const BLOCK = 512
const enc = new TextEncoder()

const octal = (n: number, width: number): string => n.toString(8).padStart(width - 1, '0') + '\0'

const writeStr = (buf: Uint8Array, offset: number, length: number, s: string): void => {
  const bytes = enc.encode(s)
  if (bytes.length > length) throw new RangeError(`tar: field overflow (${s})`)
  buf.set(bytes, offset)
}

/** `NAME` split into ustar's prefix and name fields, or undefined when it does not fit as ASCII. */
const ustarName = (path: string): { prefix: string; name: string } | undefined => {
  // eslint-disable-next-line no-control-regex
  if (!/^[\x20-\x7e]*$/.test(path)) return undefined
  if (path.length <= 100) return { prefix: '', name: path }
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
    if (i <= 155 && path.length - i - 1 <= 100 && path.length - i - 1 > 0) return { prefix: path.slice(0, i), name: path.slice(i + 1) }
  }
  return undefined
}

const header = (o: { name: string; prefix: string; mode: number; size: number; type: string; linkname: string }): Uint8Array => {
  const h = new Uint8Array(BLOCK)
  writeStr(h, 0, 100, o.name)
  writeStr(h, 100, 8, octal(o.mode, 8))
  writeStr(h, 108, 8, octal(0, 8))
  writeStr(h, 116, 8, octal(0, 8))
  writeStr(h, 124, 12, octal(o.size, 12))
  writeStr(h, 136, 12, octal(0, 12))
  h.fill(0x20, 148, 156)
  writeStr(h, 156, 1, o.type)
  writeStr(h, 157, 100, o.linkname)
  writeStr(h, 257, 6, 'ustar\0')
  writeStr(h, 263, 2, '00')
  writeStr(h, 345, 155, o.prefix)
  let sum = 0
  for (const b of h) sum += b
  writeStr(h, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ')
  return h
}

const padded = (data: Uint8Array): Uint8Array[] => {
  const rest = data.length % BLOCK
  return rest === 0 ? [data] : [data, new Uint8Array(BLOCK - rest)]
}

/** One pax record: `<len> key=value\n`, where len counts the whole record including itself. */
const paxRecord = (key: string, value: string): string => {
  const body = ` ${key}=${value}\n`
  const bodyLength = enc.encode(body).length
  let n = bodyLength + 1
  while (String(n).length + bodyLength !== n) n = String(n).length + bodyLength
  return `${n}${body}`
}

const MAX_USTAR_SIZE = 8 ** 11 - 1

const entryBlocks = (path: string, type: ArchiveEntry['type'], mode: number, data: Uint8Array, linkname: string): Uint8Array[] => {
  const fits = ustarName(path)
  const linkFits = /^[\x20-\x7e]{0,100}$/.test(linkname)
  const blocks: Uint8Array[] = []
  const records = [
    ...(fits === undefined ? [paxRecord('path', path)] : []),
    ...(linkFits ? [] : [paxRecord('linkpath', linkname)]),
    ...(data.length > MAX_USTAR_SIZE ? [paxRecord('size', String(data.length))] : []),
  ].join('')
  if (records !== '') {
    const body = enc.encode(records)
    blocks.push(header({ name: 'PaxHeader', prefix: '', mode: 0o644, size: body.length, type: 'x', linkname: '' }), ...padded(body))
  }
  const name = fits ?? { prefix: '', name: path.slice(0, 100).replace(/[^\x20-\x7e]/g, '_') }
  blocks.push(
    header({
      ...name,
      mode,
      size: data.length > MAX_USTAR_SIZE ? 0 : data.length,
      type: type === 'file' ? '0' : type === 'directory' ? '5' : '2',
      linkname: linkFits ? linkname : '',
    }),
  )
  if (data.length > 0) blocks.push(...padded(data))
  return blocks
}

const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))

const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

// -------------------------------------------------------------------------------------
// packing
// -------------------------------------------------------------------------------------

/**
 * Pack a `Code` description. Relative paths are resolved against `cwd` (default: the process's
 * working directory), as the reference SDK does.
 *
 * @category constructors
 */
export const packCode = (c: Code, options: { readonly cwd?: string; readonly layout?: Layout } = {}): E.Either<PackError, Packed> => {
  const cwd = options.cwd ?? process.cwd()
  const items = collect(c, cwd, options.layout ?? 'sourcedir')
  if (E.isLeft(items)) return items
  const sorted = [...items.right].sort((a, b) => byteOrder(a.archivePath, b.archivePath))
  const blocks: Uint8Array[] = []
  const entries: ArchiveEntry[] = []
  for (const i of sorted) {
    const type: ArchiveEntry['type'] = i.stats.isSymbolicLink() ? 'symlink' : i.stats.isDirectory() ? 'directory' : 'file'
    let data: Uint8Array = new Uint8Array(0)
    let linkname = ''
    try {
      if (type === 'file') data = readFileSync(i.local)
      if (type === 'symlink') linkname = toArchive(readlinkSync(i.local))
    } catch (e) {
      return E.left({ _tag: 'Unreadable', path: i.local, reason: (e as Error).message })
    }
    // Only the executable bit survives: owners, groups and other permission bits are host details.
    const mode = type === 'symlink' ? 0o777 : type === 'directory' || (i.stats.mode & 0o111) !== 0 ? 0o755 : 0o644
    // Directory names end in a slash, as tar and Python's tarfile write them.
    blocks.push(...entryBlocks(type === 'directory' ? `${i.archivePath}/` : i.archivePath, type, mode, data, linkname))
    entries.push({ path: i.archivePath, type })
  }
  blocks.push(new Uint8Array(2 * BLOCK))
  const tar = concat(blocks)
  return E.right({ tar, sha256: createHash('sha256').update(tar).digest('hex'), entries })
}

/** The archive as uploaded: gzip with no name and mtime 0, so it too is reproducible. */
export const gzipArchive = (tar: Uint8Array): Uint8Array => new Uint8Array(gzipSync(tar, { level: 9 }))

/** One line a person can act on. @category destructors */
export const describePackError = (e: PackError): string => {
  switch (e._tag) {
    case 'CodeNotFound':
      return `${e.path}: no such ${e.expected}`
    case 'EntryPointMissing':
      return `${e.path}: the entry point is not a file in sourceDir ${e.sourceDir}`
    case 'EscapingSymlink':
      return `${e.path}: symbolic link to "${e.target}" points outside the directory being packed (links must be relative and stay inside it)`
    case 'UnsupportedFile':
      return `${e.path}: cannot pack ${e.kind}; only files, directories and symbolic links`
    case 'DuplicateArchivePath':
      return `${e.path}: two files would be packed as "${e.archivePath}" (a dependency directory clashes with an entry of sourceDir or another dependency)`
    case 'Unreadable':
      return `${e.path}: cannot read (${e.reason})`
  }
}

/** The repacked model archive's file name. */
export const REPACKED_NAME = 'model.tar.gz'

/** `<code location>/<name>/model.tar.gz`: beside the code archives. */
export const repackLocation = (c: Code, name: string): { readonly bucket: string; readonly key: string; readonly uri: string } => {
  const at = codeLocation(c, name)
  const key = at.key.replace(/sourcedir\.tar\.gz$/, REPACKED_NAME)
  return { bucket: at.bucket, key, uri: `s3://${at.bucket}/${key}` }
}
