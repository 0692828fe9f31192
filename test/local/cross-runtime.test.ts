/**
 * The same script-mode job through the process runtime and through a Docker image of the same
 * script gives the same model bytes and the same Describe keys. Needs the Docker runtime and the
 * test images (`test/support/docker.ts`); a build without them skips with the reason, and in CI a
 * missing engine or image is an error (`dockerForTests`).
 */
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import type { Backend } from '../../src/interpret/execute/port.js'
import { createLocalBackend } from '../../src/local/backend.js'
import { createContext } from '../../src/local/context.js'
import type { Runtime } from '../../src/local/runtime/runtime.js'
import { trainingHandlers } from '../../src/local/training.js'
import { localBackend, scriptJob, stageScript, tempDir, waitEnded } from './support.js'

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)))
const support = join(repo, 'test/support/docker.ts')

type Ready = { readonly runtime: Runtime; readonly image: string } | { readonly skip: string }
const ready: Ready = existsSync(support)
  ? await (async () => {
      const m = (await import(/* @vite-ignore */ support)) as { dockerForTests: () => Promise<{ _tag: 'Ready'; runtime: Runtime } | { _tag: 'Skip'; reason: string }>; SCRIPT_MODE_IMAGE: string }
      const r = await m.dockerForTests()
      return r._tag === 'Ready' ? { runtime: r.runtime, image: m.SCRIPT_MODE_IMAGE } : { skip: r.reason }
    })()
  : { skip: 'this build has no Docker runtime test support (test/support/docker.ts)' }

const skip = 'skip' in ready ? ready.skip : undefined

describe.skipIf(skip !== undefined)(`one script, two runtimes${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  const proc = localBackend()
  const root = tempDir('docker-side')
  let docker: { backend: Backend; close: () => Promise<void> } | undefined
  afterAll(async () => {
    await proc.close()
    await docker?.close()
  })

  it('gives the same model bytes and the same Describe keys', async () => {
    if ('skip' in ready) return
    const ctx = createContext({ stateDir: join(root, 'state'), baseDir: root, runtime: ready.runtime, region: 'us-west-2' })
    const backend = createLocalBackend(ctx, [trainingHandlers])
    docker = { backend, close: () => backend.close() }
    const script = readFileSync(join(repo, 'examples/local/train.py'), 'utf8')
    const data = `file://${join(repo, 'examples/local/data')}`
    const request = (code: string, image: string) => ({
      ...scriptJob('same-1', code, {
        HyperParameters: { epochs: '50', lr: '0.1' },
        InputDataConfig: [{ ChannelName: 'train', ContentType: 'text/csv', DataSource: { FileDataSource: { FileUri: data, FileDataDistributionType: 'FullyReplicated' } } as never }],
        OutputDataConfig: { S3OutputPath: 'file://out' },
      }),
      AlgorithmSpecification: { TrainingImage: image, TrainingInputMode: 'File' as const, MetricDefinitions: [{ Name: 'train:mse', Regex: 'mse=([0-9.]+)' }] },
    })
    await proc.backend.send('CreateTrainingJob', request(stageScript(proc, 'code', { 'train.py': script }), ready.image))
    const dockerLocal = { root, stateDir: join(root, 'state'), backend, close: async () => undefined }
    await backend.send('CreateTrainingJob', request(stageScript(dockerLocal, 'code', { 'train.py': script }), ready.image))
    const [a, b] = await Promise.all([waitEnded(proc.backend, 'same-1', 60_000), waitEnded(backend, 'same-1', 60_000)])
    expect([a.TrainingJobStatus, a.FailureReason]).toEqual(['Completed', undefined])
    expect([b.TrainingJobStatus, b.FailureReason]).toEqual(['Completed', undefined])
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort())
    expect(b.FinalMetricDataList?.map((m) => m.Value)).toEqual(a.FinalMetricDataList?.map((m) => m.Value))
    expect(readFileSync(join(root, 'out/same-1/output/model.tar.gz'))).toEqual(readFileSync(join(proc.root, 'out/same-1/output/model.tar.gz')))
  })
})
