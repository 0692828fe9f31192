/**
 * A RecordSet program's data objects (`export const uploads`: shards, then the manifest) are put in
 * S3 by the runners before the training step reads them — AWS through its S3 client, local where
 * local jobs read s3:// data — content-addressed, so a second run uploads nothing. Against moto.
 */
import { join } from 'node:path'
import { DeleteEndpointCommand, ListEndpointsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker'
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { uploads } from '../../../examples/kmeans-recordset.js'
import { model, program } from '../../../src/index.js'
import { message } from '../../../src/spec/errors.js'
import { localTarget, thisMachine, type Machine } from '../../../src/local/index.js'
import type { FaultProxy } from '../../support/fault-proxy.js'
import { motoSkipReason, type Moto } from '../../support/moto.js'
import { IMAGE, ROLE, planOf } from '../../support/fixtures.js'
import { createBucket, runCli, startMotoStack, type MotoStack, type tempDir } from './harness.js'

const skip = motoSkipReason()

describe.skipIf(skip !== undefined)(`RecordSet uploads by the runners${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  let moto: Moto
  let proxy: FaultProxy
  let s3: S3Client
  let sm: SageMakerClient
  let dir: ReturnType<typeof tempDir>
  let env: Record<string, string>

  let stack: MotoStack | undefined

  beforeAll(async () => {
    stack = await startMotoStack()
    ;({ moto, proxy, s3, sm, dir, env } = stack)
    await createBucket(s3, 'example-bucket')
  })

  // moto answers UpdateEndpoint with a 500: each run deploys into a service without endpoints.
  const deleteEndpoints = async () => {
    for (const e of (await sm.send(new ListEndpointsCommand({}))).Endpoints ?? []) await sm.send(new DeleteEndpointCommand({ EndpointName: e.EndpointName! }))
  }

  afterAll(async () => {
    if (sm !== undefined) await deleteEndpoints()
    await stack?.close()
  })

  const bytesAt = async (key: string) => new Uint8Array(await (await s3.send(new GetObjectCommand({ Bucket: 'example-bucket', Key: key }))).Body!.transformToByteArray())
  const run = (runId: string) => runCli(['run', 'examples/kmeans-recordset.ts', '--target', 'aws', '--state-dir', join(dir.path, 'state'), '--run-id', runId], env)
  const keys = uploads.map((o) => o.key)
  const keyOf = (path: string) => decodeURIComponent(path.split('?')[0]!)
  const puts = () => proxy.requests.filter((q) => q.operation === 'PutObject' && keys.some((k) => keyOf(q.path).endsWith(k)))

  it('--target aws puts the shards and the manifest, byte for byte, before the training job starts', async () => {
    const r = await run('rs1')
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expect(uploads.length).toBe(3)
    for (const o of uploads) expect(await bytesAt(o.key)).toStrictEqual(o.bytes)
    const ops = proxy.requests.map((q) => q.operation)
    const lastPut = ops.lastIndexOf('PutObject')
    expect(puts().length).toBe(3)
    expect(lastPut).toBeLessThan(ops.indexOf('CreateTrainingJob'))
    // Shards before the manifest that lists them.
    expect(puts().map((q) => keys.findIndex((k) => keyOf(q.path).endsWith(k)))).toStrictEqual([0, 1, 2])
    expect(r.out).toContain('data objects: 3 uploaded, 0 already in S3')
  })

  it('a second run uploads nothing: HeadObject finds each key', async () => {
    await deleteEndpoints()
    const before = puts().length
    const r = await run('rs2')
    expect(r.code).toBe(0)
    expect(puts().length).toBe(before)
    expect(r.out).toContain('data objects: 0 uploaded, 3 already in S3')
  })

  it('a missing bucket is refused before anything runs, naming it', async () => {
    const objects = [{ ...uploads[0]!, bucket: 'no-such-bucket', uri: `s3://no-such-bucket/${uploads[0]!.key}` }]
    const { target } = await import('../../../src/interpret/aws/index.js')
    const saved = { ...process.env }
    Object.assign(process.env, env)
    try {
      const r = await target.prepare(planOf(program(model('m', { container: { image: IMAGE, modelDataUrl: 's3://example-bucket/m.tar.gz' }, role: ROLE }))), {
        stateDir: join(dir.path, 'state'),
        baseDir: process.cwd(),
        region: 'us-west-2',
        uploads: objects,
      })
      expect(r.errors.map(message).join('\n')).toMatch(/^uploads: expected the program's data objects put in S3 .*S3 bucket "no-such-bucket" does not exist.*change the RecordSet's dataLocation/)
    } finally {
      for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k]
      else process.env[k] = saved[k]
    }
  })

  it('--target local puts them where local jobs read s3:// data (the S3 endpoint), and only once', async () => {
    await createBucket(s3, 'local-bucket')
    const objects = uploads.map((o) => ({ ...o, bucket: 'local-bucket', uri: `s3://local-bucket/${o.key}` }))
    const machine: Machine = { engine: async () => ({ ok: false, where: 'nowhere' }), docker: thisMachine.docker, process: thisMachine.process }
    const plan = planOf(program(model('m', { container: { image: IMAGE, modelDataUrl: 's3://local-bucket/m.tar.gz' }, role: ROLE })))
    const said: string[] = []
    const saved = { ...process.env }
    Object.assign(process.env, moto.env, { AWS_ENDPOINT_URL_S3: moto.endpoint })
    try {
      const prepare = () => localTarget(machine).prepare(plan, { stateDir: join(dir.path, 'local-state'), baseDir: process.cwd(), uploads: objects, say: (l) => void said.push(l) })
      expect((await prepare()).errors).toStrictEqual([])
      for (const o of objects) expect(new Uint8Array(await (await s3.send(new GetObjectCommand({ Bucket: 'local-bucket', Key: o.key }))).Body!.transformToByteArray())).toStrictEqual(o.bytes)
      expect((await prepare()).errors).toStrictEqual([])
      expect(said.filter((l) => l.startsWith('data objects'))).toStrictEqual(['data objects: 3 uploaded, 0 already in S3', 'data objects: 0 uploaded, 3 already in S3'])
    } finally {
      for (const k of [...Object.keys(moto.env), 'AWS_ENDPOINT_URL_S3']) if (saved[k] === undefined) delete process.env[k]
      else process.env[k] = saved[k]
    }
  })
})
