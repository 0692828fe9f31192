/**
 * Archives the way SageMaker makes and reads them, with the `tar` package: `model.tar.gz` and
 * `output.tar.gz` hold a folder's contents at the archive root; code and model archives are unpacked
 * only after every entry has been checked to stay inside the target — no absolute path, no `..`, no
 * link whose target leaves the folder, no path that goes through a symbolic link the archive itself
 * made (a link to a folder inside, then a file "through" it, could otherwise be redirected), and only
 * files, folders and links — so a hostile archive is refused as a whole, not partly written.
 *
 * @since 0.2.0
 */
import { mkdirSync, readdirSync } from 'node:fs'
import { dirname, join, posix } from 'node:path'
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

const KINDS = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link'])

/** The entry's path inside the folder, normalized, or why it is outside. */
const inside = (path: string): E.Either<string, string> => {
  const p = path.replace(/\\/g, '/')
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) return E.left('an absolute path')
  if (p.split('/').includes('..')) return E.left('a ".." path component')
  return E.right(posix.normalize(p).replace(/\/$/, ''))
}

const escapes = (target: string): boolean => target === '..' || target.startsWith('../') || target.startsWith('/')

/**
 * Why each unsafe entry is refused, in archive order (empty when the archive is safe). Pure over the
 * entries' (path, type, link target), so it is tested without archives.
 */
export const unsafeEntries = (entries: ReadonlyArray<{ readonly path: string; readonly type: string; readonly linkpath?: string }>): ReadonlyArray<string> => {
  const symlinks = new Set<string>()
  const problems: string[] = []
  for (const e of entries) {
    if (!KINDS.has(e.type)) {
      problems.push(`${e.path}: a ${e.type} entry (only files, folders and links may be in an archive)`)
      continue
    }
    const at = inside(e.path)
    if (E.isLeft(at)) {
      problems.push(`${e.path}: ${at.left}`)
      continue
    }
    const parts = at.right.split('/')
    const through = parts.slice(0, -1).findIndex((_, i) => symlinks.has(parts.slice(0, i + 1).join('/')))
    if (through >= 0) {
      problems.push(`${e.path}: goes through the symbolic link ${parts.slice(0, through + 1).join('/')}`)
      continue
    }
    if (e.type === 'SymbolicLink' || e.type === 'Link') {
      const link = (e.linkpath ?? '').replace(/\\/g, '/')
      // Symbolic links are relative to their own folder; hard links name a path from the archive root.
      const target = link.startsWith('/') ? link : posix.normalize(e.type === 'Link' ? link : posix.join(posix.dirname(at.right), link))
      if (link === '' || escapes(target)) {
        problems.push(`${e.path}: a link to "${e.linkpath ?? ''}", outside the folder`)
        continue
      }
      if (e.type === 'SymbolicLink') symlinks.add(at.right)
    }
  }
  return problems
}

/** Unpack `archive` (tar, gzipped or not) into `dir`, or say why not; nothing is written when refused. */
export const safeExtract = async (archive: string, dir: string): Promise<E.Either<string, void>> => {
  const entries: Array<{ path: string; type: string; linkpath?: string }> = []
  try {
    await list({ file: archive, onReadEntry: (e) => void entries.push({ path: e.path, type: e.type, ...(e.linkpath ? { linkpath: e.linkpath } : {}) }) })
  } catch (e) {
    return E.left(`${archive} is not a readable tar archive (${(e as Error).message})`)
  }
  const problems = unsafeEntries(entries)
  if (problems.length > 0) {
    const more = problems.length > 3 ? ` and ${problems.length - 3} more` : ''
    return E.left(`${archive} is refused, it would write outside ${dir}: ${problems.slice(0, 3).join('; ')}${more}`)
  }
  mkdirSync(dir, { recursive: true })
  try {
    // strict: an entry tar itself would skip is an error; preservePaths false keeps its own guards too.
    await extract({ file: archive, cwd: dir, strict: true, preservePaths: false })
  } catch (e) {
    return E.left(`cannot unpack ${archive} into ${dir} (${(e as Error).message})`)
  }
  return E.right(undefined)
}
