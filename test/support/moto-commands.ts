/**
 * For a `describe` block of CLI commands run against moto: moto started before its tests, its AWS
 * variables set in `process.env` (where the CLI reads them), a SageMaker client to arrange and check
 * what the service holds, and a temp folder — all restored, stopped and removed after the block.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SageMakerClient } from '@aws-sdk/client-sagemaker'
import { afterAll, beforeAll } from 'vitest'
import { startMoto, type Moto } from './moto.js'

export interface MotoCommands {
  readonly moto: Moto
  readonly sm: SageMakerClient
  readonly dir: string
}

export const motoCommands = (tmpPrefix: string): MotoCommands => {
  const live = {} as { moto: Moto; sm: SageMakerClient; dir: string }
  const saved: Record<string, string | undefined> = {}
  beforeAll(async () => {
    live.moto = await startMoto()
    for (const [k, v] of Object.entries({ ...live.moto.env, SAGESPEC_AWS_POLL_MS: '20,100' })) {
      saved[k] = process.env[k]
      process.env[k] = v
    }
    live.sm = new SageMakerClient({ endpoint: live.moto.endpoint, region: 'us-west-2', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } })
    live.dir = mkdtempSync(join(tmpdir(), tmpPrefix))
  })
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
    live.sm?.destroy()
    await live.moto?.stop()
    if (live.dir !== undefined) rmSync(live.dir, { recursive: true, force: true })
  })
  return live
}
