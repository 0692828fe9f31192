import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import { code, type Code } from '../../../src/spec/val.js'
import { codeKey, codeLocation, describePackError, gzipArchive, packCode, type Packed, type PackError } from '../../../src/interpret/code/pack.js'
import { PYTHON, PY_REASON, PY_SKIP } from '../airflow/harness.js'

// Every tree is removed after the file's tests.
const trees: string[] = []
afterAll(() => {
  for (const t of trees) rmSync(t, { recursive: true, force: true })
})

const tree = (files: Readonly<Record<string, string>>): string => {
  const root = mkdtempSync(join(tmpdir(), 'sagespec-pack-'))
  trees.push(root)
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true })
    if (path.endsWith('/')) mkdirSync(join(root, path), { recursive: true })
    else writeFileSync(join(root, path), content)
  }
  return root
}

const packed = (c: Code, cwd: string): Packed => {
  const r = packCode(c, { cwd })
  if (E.isLeft(r)) throw new Error(describePackError(r.left))
  return r.right
}
const failure = (c: Code, cwd: string): PackError => {
  const r = packCode(c, { cwd })
  if (E.isRight(r)) throw new Error('expected packing to fail')
  return r.left
}

const src = (extra: Partial<Code> = {}): Code => code({ entryPoint: 'train.py', sourceDir: 'src', s3Prefix: 's3://bucket/code', ...extra })

/** What Python's tarfile (what SageMaker's containers extract with) reads from the archive. */
const pythonMembers = (tar: Uint8Array): ReadonlyArray<{ name: string; type: string; mode: number; size: number; link: string; data: string | null }> => {
  const script = String.raw`
import io, json, sys, tarfile
t = tarfile.open(fileobj=io.BytesIO(sys.stdin.buffer.read()))
out = []
for m in t.getmembers():
    data = t.extractfile(m).read().decode('utf-8') if m.isfile() else None
    out.append({'name': m.name, 'type': m.type.decode(), 'mode': m.mode, 'size': m.size, 'link': m.linkname, 'data': data,
                'uid': m.uid, 'mtime': m.mtime})
sys.stdout.write(json.dumps(out))
`
  const r = spawnSync(PYTHON!, ['-c', script], { input: Buffer.from(tar), encoding: 'utf8' })
  if (r.status !== 0) throw new Error(r.stderr)
  return JSON.parse(r.stdout)
}

describe('code/pack', () => {
  describe('packCode', () => {
    it('puts the contents of sourceDir at the root and each dependency directory beside them, sorted', () => {
      const root = tree({ 'src/train.py': 'print(1)\n', 'src/pkg/model.py': 'M = 1\n', 'src/empty/': '', 'libs/util/helpers.py': 'H = 1\n' })
      const p = packed(src({ dependencies: ['libs/util'] }), root)
      expect(p.entries).toEqual([
        { path: 'empty', type: 'directory' },
        { path: 'pkg', type: 'directory' },
        { path: 'pkg/model.py', type: 'file' },
        { path: 'train.py', type: 'file' },
        { path: 'util', type: 'directory' },
        { path: 'util/helpers.py', type: 'file' },
      ])
      expect(p.sha256).toMatch(/^[0-9a-f]{64}$/)
    })

    it('packs a lone entry point at the root when there is no sourceDir', () => {
      const root = tree({ 'scripts/train.py': 'print(1)\n' })
      expect(packed(code({ entryPoint: 'scripts/train.py', s3Prefix: 's3://b' }), root).entries).toEqual([{ path: 'train.py', type: 'file' }])
    })

    it('is deterministic: owners, times and permission bits other than executable do not change the bytes; content does', () => {
      const a = tree({ 'src/train.py': 'print(1)\n', 'src/data.txt': 'x' })
      const b = tree({ 'src/data.txt': 'x', 'src/train.py': 'print(1)\n' })
      utimesSync(join(b, 'src', 'data.txt'), 1_000_000, 1_000_000)
      chmodSync(join(b, 'src', 'data.txt'), 0o600)
      const pa = packed(src(), a)
      expect(packed(src(), b).tar).toEqual(pa.tar)
      expect(packed(src(), a).sha256).toBe(pa.sha256)
      writeFileSync(join(b, 'src', 'data.txt'), 'y')
      expect(packed(src(), b).sha256).not.toBe(pa.sha256)
      chmodSync(join(a, 'src', 'train.py'), 0o755)
      expect(packed(src(), a).sha256).not.toBe(pa.sha256)
    })

    it('keeps links that stay inside the directory, and refuses ones that leave it', () => {
      const root = tree({ 'src/train.py': 'print(1)\n', 'src/sub/a.txt': 'a', 'secret.txt': 's' })
      symlinkSync('../train.py', join(root, 'src', 'sub', 'link.py'))
      expect(packed(src(), root).entries).toContainEqual({ path: 'sub/link.py', type: 'symlink' })
      symlinkSync('../secret.txt', join(root, 'src', 'leak.txt'))
      expect(failure(src(), root)).toEqual({ _tag: 'EscapingSymlink', path: join(root, 'src', 'leak.txt'), target: '../secret.txt' })
      const abs = tree({ 'src/train.py': '' })
      symlinkSync(join(abs, 'src', 'train.py'), join(abs, 'src', 'absolute.py'))
      expect(failure(src(), abs)._tag).toBe('EscapingSymlink')
      const dangling = tree({ 'src/train.py': '' })
      symlinkSync('nowhere', join(dangling, 'src', 'dangling'))
      expect(failure(src(), dangling)._tag).toBe('EscapingSymlink')
    })

    it('reports a missing sourceDir, a missing entry point and clashing archive paths', () => {
      const root = tree({ 'src/train.py': '', 'src/util/x.py': '', 'libs/util/y.py': '' })
      expect(failure(src({ sourceDir: 'nope' }), root)).toEqual({ _tag: 'CodeNotFound', path: join(root, 'nope'), expected: 'directory' })
      expect(failure(src({ entryPoint: 'main.py' }), root)).toEqual({ _tag: 'EntryPointMissing', path: join(root, 'src', 'main.py'), sourceDir: join(root, 'src') })
      expect(failure(src({ dependencies: ['libs/util'] }), root)).toEqual({ _tag: 'DuplicateArchivePath', path: join(root, 'libs', 'util'), archivePath: 'util' })
      expect(describePackError(failure(src({ entryPoint: 'main.py' }), root))).toBe(`${join(root, 'src', 'main.py')}: the entry point is not a file in sourceDir ${join(root, 'src')}`)
    })
  })

  describe.skipIf(PY_SKIP)(`read by Python's tarfile${PY_SKIP ? ` (skipped: ${PY_REASON})` : ''}`, () => {
    it('extracts every entry with its name, type, mode, link and content; long and non-ASCII names through pax records', () => {
      const long = `${'d'.repeat(90)}/${'e'.repeat(90)}/${'f'.repeat(30)}.py`
      const root = tree({ 'src/train.py': 'print(1)\n', [`src/${long}`]: 'long', 'src/ünï/日本.txt': 'utf8' })
      chmodSync(join(root, 'src', 'train.py'), 0o755)
      symlinkSync('../train.py', join(root, 'src', 'ünï', 'link.py'))
      const p = packed(src(), root)
      const members = pythonMembers(p.tar)
      expect(members.map((m) => m.name)).toEqual(p.entries.map((e) => e.path))
      expect(members.find((m) => m.name === 'train.py')).toMatchObject({ type: '0', mode: 0o755, data: 'print(1)\n', uid: 0, mtime: 0 })
      expect(members.find((m) => m.name === long)).toMatchObject({ type: '0', mode: 0o644, data: 'long' })
      expect(members.find((m) => m.name === 'ünï/日本.txt')).toMatchObject({ data: 'utf8' })
      expect(members.find((m) => m.name === 'ünï/link.py')).toMatchObject({ type: '2', link: '../train.py' })
      expect(members.find((m) => m.name === 'ünï')).toMatchObject({ type: '5', mode: 0o755 })
      // The gzip stream holds the same archive.
      expect(pythonMembers(gzipArchive(p.tar)).map((m) => m.name)).toEqual(members.map((m) => m.name))
    })
  })

  describe('gzipArchive', () => {
    it('is reproducible and holds the tar', () => {
      const p = packed(src(), tree({ 'src/train.py': 'print(1)\n' }))
      expect(gzipArchive(p.tar)).toEqual(gzipArchive(p.tar))
      expect(new Uint8Array(gunzipSync(gzipArchive(p.tar)))).toEqual(p.tar)
    })
  })

  describe('codeLocation / codeKey', () => {
    it('names the archive by its hash under the prefix, whatever slashes the prefix has', () => {
      const sha = 'a'.repeat(64)
      expect(codeLocation(src({ s3Prefix: 's3://bucket/a/b/' }), sha)).toEqual({ bucket: 'bucket', key: `a/b/${sha}/sourcedir.tar.gz`, uri: `s3://bucket/a/b/${sha}/sourcedir.tar.gz` })
      expect(codeLocation(src({ s3Prefix: 's3://bucket' }), sha)).toEqual({ bucket: 'bucket', key: `${sha}/sourcedir.tar.gz`, uri: `s3://bucket/${sha}/sourcedir.tar.gz` })
    })

    it('gives equal code descriptions one key, and different ones different keys', () => {
      expect(codeKey(src())).toBe(codeKey(JSON.parse(JSON.stringify(src())) as Code))
      expect(codeKey(src())).not.toBe(codeKey(src({ dependencies: ['x'] })))
      expect(codeKey(src())).not.toBe(codeKey(src({ s3Prefix: 's3://other' })))
    })
  })
})
