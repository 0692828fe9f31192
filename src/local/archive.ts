/**
 * Archives the way SageMaker makes and reads them, with the `tar` package: `model.tar.gz` and
 * `output.tar.gz` hold a folder's contents at the archive root; code and model archives are unpacked
 * only after every entry has been checked to stay inside the target (no absolute paths, no `..`, no
 * links that point out of it), so a hostile archive is refused as a whole, not partly written.
 *
 * @since 0.2.0
 */
import { mkdirSync, readdirSync } from 'node:fs'
import { dirname, isAbsolute, join, posix } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { create, extract, list } from 'tar'

/** Every path below `dir`, relative, folders before their contents, in byte order. */
const walk = (dir: string, at = ''): string[] =>
  readdirSync(join(dir, at), { withFileTypes: true })
    .sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)))
    .flatMap((d) => {
      const rel = at === '' ? d.name : `${at}/${d.name}`
      return d.isDirectory() ? [rel, ...walk(dir, rel)] : [rel]
    })

/**
 * Pack the contents of `dir` into a gzipped tar at `file`, reproducibly: entries in byte order, no
 * owners, mtime 0 (as code archives are packed), so the same files give the same bytes on any runtime.
 * An empty folder packs as its own `./` entry: a tar of nothing is not read back by every reader.
 */
export const packFolder = async (dir: string, file: string): Promise<void> => {
  mkdirSync(dirname(file), { recursive: true })
  const entries = walk(dir)
  await create({ gzip: true, file, cwd: dir, portable: true, noDirRecurse: true, mtime: new Date(0) }, entries.length === 0 ? ['.'] : entries)
}

/** Why an entry may not be unpacked, or undefined. */
export const unsafeEntry = (path: string, type: string, linkpath: string | undefined): string | undefined => {
  const clean = path.replace(/\\/g, '/')
  if (isAbsolute(clean) || /^[A-Za-z]:/.test(clean)) return `${path}: an absolute path`
  if (clean.split('/').includes('..')) return `${path}: a path with ".." that leaves the folder`
  if ((type === 'SymbolicLink' || type === 'Link') && linkpath !== undefined) {
    const l = linkpath.replace(/\\/g, '/')
    // Hard links name a path from the archive root; symbolic links are relative to their folder.
    const target = type === 'Link' ? posix.normalize(l) : posix.normalize(posix.join(posix.dirname(clean), l))
    if (isAbsolute(l) || target === '..' || target.startsWith('../')) return `${path}: a link to "${linkpath}", outside the folder`
  }
  if (!['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link', 'ExtendedHeader', 'GlobalExtendedHeader', 'NextFileHasLongPath', 'NextFileHasLongLinkpath'].includes(type))
    return `${path}: a ${type} entry (only files, folders and links)`
  return undefined
}

/** Unpack `file` into `dir`, or say which entry makes it unsafe (then nothing is written). */
export const unpackSafely = async (file: string, dir: string): Promise<E.Either<string, void>> => {
  const problems: string[] = []
  try {
    await list({
      file,
      onReadEntry: (e) => {
        const p = unsafeEntry(e.path, e.type, e.linkpath)
        if (p !== undefined) problems.push(p)
      },
    })
  } catch (e) {
    return E.left(`not a readable tar archive (${(e as Error).message})`)
  }
  if (problems.length > 0) return E.left(`unsafe archive, refused: ${problems.slice(0, 3).join('; ')}`)
  mkdirSync(dir, { recursive: true })
  try {
    await extract({ file, cwd: dir, strict: true, preservePaths: false, noChmod: false })
  } catch (e) {
    return E.left(`cannot unpack (${(e as Error).message})`)
  }
  return E.right(undefined)
}
