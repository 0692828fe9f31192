/**
 * Upload benchmark: a 200 MB code archive staged to moto's S3 through a backend's `stageCode` (the
 * path a run takes: HeadObject, then a multipart upload) beside a bare `@aws-sdk/lib-storage` Upload
 * of the same bytes to the same server, alternating (and which goes first), median of 5, in one run. Prints the ratio
 * (bare time / sagespec time: 1.0 = as fast as the bare upload; the goal is ≥ 0.9).
 *
 *   npx tsx bench/upload.ts
 *
 * The backend is the AWS target's (`--target aws`), pointed at moto through AWS_ENDPOINT_URL. Needs
 * moto for python3 (skipped with the reason otherwise). Never fails on time.
 */
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { CreateBucketCommand, DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { connect } from '../src/cli/targets.js'
import type { Backend } from '../src/interpret/execute/port.js'
import { motoSkipReason, startMoto } from '../test/support/moto.js'

const MB = 1024 * 1024
const SIZE = 200 * MB
const ROUNDS = 5
const BUCKET = 'sagespec-bench'

/** The backend whose `stageCode` is measured: the AWS target's, reading moto's address from the environment. */
export const stagingBackend = (): Promise<Backend> => connect('aws', { stateDir: tmpdir(), baseDir: process.cwd() })

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const seconds = async (f: () => Promise<unknown>): Promise<number> => {
  const t = process.hrtime.bigint()
  await f()
  return Number(process.hrtime.bigint() - t) / 1e9
}

const main = async () => {
  const skip = motoSkipReason()
  if (skip !== undefined) return console.log(`upload bench skipped: ${skip}`)
  const moto = await startMoto()
  Object.assign(process.env, moto.env)
  const s3 = new S3Client({ endpoint: moto.endpoint, region: 'us-west-2', forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } })
  let backend: Backend | undefined
  try {
    backend = await stagingBackend()
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }))
    const bytes = randomBytes(SIZE)
    const staged: number[] = []
    const bare: number[] = []
    for (let r = 0; r < ROUNDS; r++) {
      // A new name each round, so HeadObject never finds it and every round uploads.
      const sha = `bench-${r}`
      const viaSagespec = () => seconds(() => backend!.stageCode({ sha256: sha, gzip: bytes, s3Prefix: `s3://${BUCKET}/code` }))
      const viaBare = () => seconds(() => new Upload({ client: s3, params: { Bucket: BUCKET, Key: `bare/${r}/sourcedir.tar.gz`, Body: bytes } }).done())
      // Who goes first alternates too: neither always meets a fresh (or a tired) server.
      if (r % 2 === 0) {
        staged.push(await viaSagespec())
        bare.push(await viaBare())
      } else {
        bare.push(await viaBare())
        staged.push(await viaSagespec())
      }
      // moto keeps objects in memory: drop each round's before the next.
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `code/${sha}/sourcedir.tar.gz` }))
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `bare/${r}/sourcedir.tar.gz` }))
    }
    const mbps = (s: number) => (SIZE / MB / s).toFixed(0)
    console.log(`200 MB to moto's S3, median of ${ROUNDS}, alternating:`)
    console.log(`  sagespec stageCode (HeadObject + multipart Upload): ${median(staged).toFixed(2)} s  (${mbps(median(staged))} MB/s)`)
    console.log(`  bare lib-storage Upload:                            ${median(bare).toFixed(2)} s  (${mbps(median(bare))} MB/s)`)
    console.log(`  ratio bare/sagespec = ${(median(bare) / median(staged)).toFixed(2)}  (1.0 = as fast as the bare upload; goal ≥ 0.9)`)
  } finally {
    await backend?.close()
    s3.destroy()
    await moto.stop()
  }
}

await main()
