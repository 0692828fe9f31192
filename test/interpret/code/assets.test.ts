import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../../src/cli/main.js'
import { program, toJson } from '../../../src/spec/program.js'
import { training } from '../../../src/spec/step.js'
import { code, type Code } from '../../../src/spec/val.js'
import { codeLocation, packCode } from '../../../src/interpret/code/pack.js'
import { resolveAssets, withCodeUris } from '../../../src/interpret/code/assets.js'
import { localLocations } from '../../../src/interpret/aws/capabilities.js'
import { toPlan } from '../../../src/interpret/plan/plan.js'
import { validate } from '../../../src/spec/validate.js'

const dir = mkdtempSync(join(tmpdir(), 'sagespec-assets-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const write = (rel: string, text: string): string => {
  const file = join(dir, rel)
  mkdirSync(join(file, '..'), { recursive: true })
  writeFileSync(file, text)
  return file
}
write('src/train.py', 'print("train")\n')
write('src/util/helpers.py', 'X = 1\n')
write('lib/mylib/__init__.py', '')

const base = {
  image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/train:1',
  role: 'arn:aws:iam::123456789012:role/r',
  resources: { instanceType: 'ml.m5.xlarge' },
  output: { s3OutputPath: 's3://b/out' },
} as const

const withCode = (c: Code, extra: Record<string, unknown> = {}) =>
  program(training('train', { ...base, ...extra, hyperParameters: { sagemaker_submit_directory: c as never } } as never))

const srcCode = (over: Partial<Code> = {}): Code => code({ entryPoint: 'train.py', sourceDir: join(dir, 'src'), dependencies: [join(dir, 'lib')], s3Prefix: 's3://code-bucket/p/', ...over })

let n = 0
const planOf = async (p: unknown, ...flags: string[]) => {
  const file = write(`program-${n++}.json`, toJson(p as never))
  const out: string[] = []
  const err: string[] = []
  const status = await main(['plan', file, ...flags], { out: (s) => void out.push(s), err: (s) => void err.push(s) })
  return { status, out: out.join('\n'), err: err.join('\n') }
}

const sha = (c: Code): string => {
  const p = packCode(c)
  if (E.isLeft(p)) throw new Error('pack failed')
  return p.right.sha256
}

describe('sagespec plan packs code as the runners do', () => {
  it('shows each archive (files, size, sha256, key) and puts its S3 URI in the requests', async () => {
    const c = srcCode()
    const r = await planOf(withCode(c))
    expect(r.err).toBe('')
    expect(r.status).toBe(0)
    const at = codeLocation(c, sha(c))
    // The key the AWS runner and the Airflow export use: the prefix's slashes trimmed, then <sha256>.
    expect(at.uri).toBe(`s3://code-bucket/p/${sha(c)}/sourcedir.tar.gz`)
    expect(r.out).toContain(`Code archives (packed now, byte for byte as every runner packs and uploads them):\n   ${join(dir, 'src')} → ${at.uri}\n`)
    expect(r.out).toContain(`     3 files, `)
    expect(r.out).toContain(`sha256 ${sha(c)}\n     files: lib/mylib/__init__.py, train.py, util/helpers.py\n     used by train`)
    expect(r.out).toContain(`"sagemaker_submit_directory": "${at.uri}"`)
    expect(r.out).not.toContain('<code:')
  })

  it('the JSON plan lists the same archive and holds the URI in the request', async () => {
    const c = srcCode()
    const r = await planOf(withCode(c), '--format', 'json')
    expect(r.status).toBe(0)
    const plan = JSON.parse(r.out)
    const at = codeLocation(c, sha(c))
    expect(plan.assets).toMatchObject([{ _tag: 'CodeArchive', usedBy: ['train'], sha256: sha(c), bucket: 'code-bucket', key: at.key, uri: at.uri, files: ['lib/mylib/__init__.py', 'train.py', 'util/helpers.py'] }])
    expect(plan.assets[0].size % 512).toBe(0)
    expect(plan.steps[0].requests[0].input.HyperParameters.sagemaker_submit_directory).toBe(at.uri)
  })

  it('does not depend on mtimes: touching the files leaves the plan byte for byte the same', async () => {
    const p = withCode(srcCode())
    const before = await planOf(p)
    utimesSync(join(dir, 'src', 'train.py'), 1_234_567, 1_234_567)
    utimesSync(join(dir, 'lib', 'mylib', '__init__.py'), 7_654_321, 7_654_321)
    const after = await planOf(p)
    expect(after.out).toBe(before.out)
  })

  it('a changed file changes the sha256 and the key', async () => {
    const before = sha(srcCode())
    write('src/util/helpers.py', 'X = 2\n')
    try {
      expect(sha(srcCode())).not.toBe(before)
    } finally {
      write('src/util/helpers.py', 'X = 1\n')
    }
    expect(sha(srcCode())).toBe(before)
  })

  it('a missing entry point is a validation error at its path, reported with the other errors; nothing is planned', async () => {
    const r = await planOf(withCode(srcCode({ entryPoint: 'trian.py' }), { resources: { instanceType: 'ml.nope.xlarge' } }))
    expect(r.status).toBe(1)
    expect(r.out).toBe('')
    const lines = r.err.split('\n')
    expect(lines[0]).toMatch(/: 2 problems; nothing was planned or run\.$/)
    expect(lines.some((l) => l.startsWith('  steps.train.resources.instanceType'))).toBe(true)
    expect(lines).toContain(`  steps.train.hyperParameters.sagemaker_submit_directory.entryPoint: ${join(dir, 'src', 'trian.py')} does not exist`)
  })

  it('a missing source dir and a missing dependency are each reported at their own field', async () => {
    const r = await planOf(withCode(srcCode({ sourceDir: join(dir, 'nosuch'), dependencies: [join(dir, 'lib'), join(dir, 'gone')] })))
    expect(r.status).toBe(1)
    expect(r.err.split('\n').slice(1)).toStrictEqual([
      `  steps.train.hyperParameters.sagemaker_submit_directory.sourceDir: ${join(dir, 'nosuch')} does not exist`,
      `  steps.train.hyperParameters.sagemaker_submit_directory.dependencies.1: ${join(dir, 'gone')} does not exist`,
    ])
  })

  it('an entry point that is a directory is not a file', async () => {
    const r = await planOf(withCode(srcCode({ entryPoint: 'util' })))
    expect(r.status).toBe(1)
    expect(r.err).toContain(`sagemaker_submit_directory.entryPoint: ${join(dir, 'src', 'util')} is not a file`)
  })
})

describe('sagespec plan shows repacks', () => {
  it('the JSON plan lists the repack with its code sha256, files, target and edges; the model request keeps the Repack leaf', async () => {
    const out: string[] = []
    const status = await main(['plan', 'examples/pytorch-script-mode.ts', '--format', 'json'], { out: (s) => void out.push(s), err: (s) => void out.push(s) })
    expect(status).toBe(0)
    const plan = JSON.parse(out.join('\n'))
    const servingCode = { _tag: 'Code', entryPoint: 'inference.py', sourceDir: 'examples/pytorch', s3Prefix: 's3://example-bucket/code' }
    const layout = packCode(servingCode as Code, { layout: 'model-code' })
    if (E.isLeft(layout)) throw new Error('the example does not pack')
    expect(plan.repacks).toEqual([
      {
        _tag: 'Repack',
        model: { _tag: 'Ref', step: 'digits', path: ['ModelArtifacts', 'S3ModelArtifacts'] },
        code: servingCode,
        codeSha256: layout.right.sha256,
        size: layout.right.tar.length,
        files: ['code/inference.py', 'code/train.py'],
        target: 's3://example-bucket/code/<sha256>/model.tar.gz',
        dependsOn: ['digits'],
        usedBy: ['digits-model'],
      },
    ])
    expect(plan.steps[1].requests[0].input.PrimaryContainer.ModelDataUrl).toEqual({ _tag: 'Repack', model: { _tag: 'Ref', step: 'digits', path: ['ModelArtifacts', 'S3ModelArtifacts'] }, code: servingCode })
  })
})

describe('a plan with its code URIs', () => {
  it('names the same file:// locations as a walk of every request (the planner says which steps may, the code URIs add none)', () => {
    const p = program(
      training('train', { ...base, channels: { train: { uri: 'file:///data/train' } }, hyperParameters: { sagemaker_submit_directory: srcCode() as never } } as never),
      training('other', { ...base, output: { s3OutputPath: 'file:///tmp/out' } } as never),
      training('plain', { ...base } as never),
    )
    const v = validate(p)
    if (E.isLeft(v)) throw new Error(JSON.stringify(v.left))
    const plan = toPlan(v.right)
    const assets = resolveAssets(plan, {})
    if (E.isLeft(assets)) throw new Error(assets.left.join('\n'))
    const withUris = withCodeUris(plan, assets.right)
    // A copy is a plan the planner never saw: every request is walked.
    const everyRequest = (q: typeof plan) => localLocations({ ...q })
    expect(localLocations(plan).map((l) => l.path)).toEqual(['steps.train.channels.train.uri', 'steps.other.OutputDataConfig.S3OutputPath'])
    expect(localLocations(plan)).toEqual(everyRequest(plan))
    expect(localLocations(withUris)).toEqual(everyRequest(withUris))
    expect(localLocations(withUris)).toEqual(localLocations(plan))
    // Only the step holding code was rewritten.
    expect(withUris.steps[1]).toBe(plan.steps[1])
    expect(JSON.stringify(withUris.steps[0]!.requests)).toContain('s3://code-bucket/p/')
  })
})
