/**
 * Fake serving containers for the gateway and transform tests: sagespec's own stdlib model server
 * (`model_server.py`) started as a process on a free loopback port with a tiny inference script.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime'
import type { Backend } from '../../../src/interpret/execute/port.js'
import { createLocalBackend } from '../../../src/local/backend.js'
import { createContext } from '../../../src/local/context.js'
import { endpointHandlers } from '../../../src/local/endpoints.js'
import { processRuntime } from '../../../src/local/runtime/process.js'
import { startGateway, type Gateway } from '../../../src/local/serving/gateway.js'

export const MODEL_SERVER = fileURLToPath(new URL('../../../src/local/serving/model_server.py', import.meta.url))

export interface FakeContainer {
  readonly port: number
  readonly pid: number
  readonly exited: Promise<number>
  readonly lines: string[]
  readonly stop: () => Promise<void>
}

/** Whole lines of a stream, however its chunks fall. */
export const onLines = (stream: NodeJS.ReadableStream, f: (line: string) => void): void => {
  let rest = ''
  stream.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString('utf8')).split('\n')
    rest = parts.pop()!
    for (const p of parts) if (p !== '') f(p)
  })
  stream.on('end', () => {
    if (rest !== '') f(rest)
  })
}

/** A temp folder (sagespec-*) removed by `cleanup`. */
export const tempDir = (dirs: string[]): string => {
  const d = mkdtempSync(join(tmpdir(), 'sagespec-serve-'))
  dirs.push(d)
  return d
}

export const cleanupDirs = (dirs: string[]): void => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
}

/** A model folder with `code/inference.py` and the given files. */
export const modelDir = (root: string, name: string, script: string, files: Record<string, string> = {}): string => {
  const dir = join(root, name)
  mkdirSync(join(dir, 'code'), { recursive: true })
  writeFileSync(join(dir, 'code', 'inference.py'), script)
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text)
  return dir
}

/** Start the model server on port 0; resolves with the port it printed, or rejects with its output. */
export const startContainer = (dir: string, env: Record<string, string> = {}): Promise<FakeContainer> =>
  new Promise((resolve, reject) => {
    const child: ChildProcess = spawn('python3', ['-u', MODEL_SERVER], {
      env: { ...process.env, SM_MODEL_DIR: dir, SAGEMAKER_BIND_TO_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const lines: string[] = []
    // 'close', not 'exit': by then every output line has been read.
    const exited = new Promise<number>((r) => child.on('close', (code, signal) => r(code ?? (signal === null ? 0 : 128))))
    let started = false
    const stop = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    }
    const onLine = (line: string): void => {
      lines.push(line)
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(line)
      if (m !== null && !started) {
        started = true
        resolve({ port: Number(m[1]), pid: child.pid!, exited, lines, stop })
      }
    }
    onLines(child.stdout!, onLine)
    onLines(child.stderr!, onLine)
    void exited.then((code) => {
      if (!started) reject(new Error(`model server exited with ${code}:\n${lines.join('\n')}`))
    })
  })

/** An inference script whose model is the text of `model.txt`, answering "<model>:<body>". */
export const ECHO_MODEL = `
import os
def model_fn(model_dir):
    with open(os.path.join(model_dir, "model.txt")) as f:
        return f.read().strip()
def transform_fn(model, body, content_type, accept):
    return (model + ":" + body.decode("utf-8")), "text/plain"
`

/**
 * Both ways to reach local endpoints over one state folder: the gateway with the AWS SDK's runtime
 * client in front of it, and the local backend, which routes in its own process.
 */
export interface ServingSides {
  readonly gateway: Gateway
  readonly client: SageMakerRuntimeClient
  readonly backend: Backend
  readonly close: () => Promise<void>
}

export const startServingSides = async (state: string, root: string): Promise<ServingSides> => {
  const gateway = await startGateway({ stateDir: state })
  const client = new SageMakerRuntimeClient({ endpoint: gateway.url, region: 'us-west-2', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 })
  const backend = createLocalBackend(
    createContext({ stateDir: state, baseDir: root, runtime: processRuntime({ dir: join(state, 'local', 'processes') }), region: 'us-west-2', stopGraceMs: 2000 }),
    [endpointHandlers],
  )
  return {
    gateway,
    client,
    backend,
    close: async () => {
      client.destroy()
      await backend.close()
      await gateway.close()
    },
  }
}
