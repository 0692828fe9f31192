/**
 * A PyTorch (≥ 1.2) program run locally on the process runtime: the training writes a model, the
 * repack adds the user's inference.py under code/ of the model archive, the endpoint serves the
 * repacked archive, and the prediction shows that inference.py ran. A second run of the same program
 * repacks nothing (the same bytes name the same archive).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { readRun } from '../../src/interpret/execute/journal.js'
import { tempDir } from './support.js'

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)))
const root = tempDir('repack-local')
const state = join(root, 'state')
const ENDPOINT = 'repack-e2e'

const TRAIN = `import os
with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w") as f:
    f.write("weights-42")
print("trained", flush=True)
`
const INFERENCE = `import os
def model_fn(model_dir):
    with open(os.path.join(model_dir, "model.txt")) as f:
        return f.read().strip()
def transform_fn(model, body, content_type, accept):
    return "inference.py ran with %s on %s" % (model, body.decode().strip()), "text/plain"
`

const cliIo = () => {
  const lines: string[] = []
  return { lines, io: { out: (s: string) => void lines.push(s), err: (s: string) => void lines.push(s) } }
}
const LOCAL = ['--target', 'local', '--runtime', 'process', '--state-dir', state]

afterAll(async () => {
  try {
    await main(['endpoints', 'delete', ENDPOINT, '--with-models', ...LOCAL], cliIo().io)
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})

const writeProgram = (): string => {
  const src = join(root, 'src')
  mkdirSync(src, { recursive: true })
  writeFileSync(join(src, 'train.py'), TRAIN)
  writeFileSync(join(src, 'inference.py'), INFERENCE)
  writeFileSync(join(root, 'input.txt'), 'hello\n')
  const file = join(root, 'program.ts')
  writeFileSync(
    file,
    `import { endpoint, program } from ${JSON.stringify(join(repo, 'src/index.ts'))}
import { modelFromTraining, pytorch } from ${JSON.stringify(join(repo, 'src/frameworks/index.ts'))}
const train = pytorch('digits', {
  entryPoint: 'train.py',
  sourceDir: ${JSON.stringify(src)},
  codeLocation: 's3://unused/code',
  frameworkVersion: '2.2',
  region: 'us-west-2',
  role: 'arn:aws:iam::111122223333:role/SageMakerRole',
  instanceType: 'ml.m5.large',
  output: { s3OutputPath: ${JSON.stringify(`file://${root}/out`)} },
})
const model = modelFromTraining(train, { instanceType: 'ml.m5.large', entryPoint: 'inference.py' })
export default program(train, model, endpoint('serve', { endpointName: '${ENDPOINT}', variants: [{ model: model.outputs.name, instanceType: 'ml.m5.large' }] }))
`,
  )
  return file
}

const repackedFiles = (): string[] => {
  const dir = join(state, 'local', 'repacked')
  return existsSync(dir) ? readdirSync(dir).map((n) => join(dir, n, 'model.tar.gz')) : []
}

describe('repack on the local target', () => {
  it('trains, repacks the model with inference.py, deploys, and the prediction shows inference.py ran; a second run repacks nothing', async () => {
    const program = writeProgram()
    const first = cliIo()
    const code = await main(['run', program, ...LOCAL, '--run-id', 'rp1'], first.io)
    const text = first.lines.join('\n')
    expect(code, text).toBe(0)
    expect(text).toMatch(/digits-model: repacked file:\/\/\S+\/digits-rp1\/output\/model\.tar\.gz with its serving code: file:\/\/\S+\/repacked\/[0-9a-f]{64}\/model\.tar\.gz/)

    // The repacked archive holds the model and code/ with the user's scripts.
    const [archive, ...more] = repackedFiles()
    expect(more).toEqual([])
    const listed = execFileSync('tar', ['-tzf', archive!], { encoding: 'utf8' }).split('\n').filter((l) => l !== '')
    expect(listed).toEqual(expect.arrayContaining(['model.txt', 'code/', 'code/inference.py', 'code/train.py']))
    expect(Object.values(readRun(state, 'rp1')!.run.repacks ?? {})).toEqual([`file://${archive}`])

    const answer = cliIo()
    expect(await main(['predict', ENDPOINT, '--data', join(root, 'input.txt'), '--content-type', 'text/plain', ...LOCAL], answer.io), answer.lines.join('\n')).toBe(0)
    expect(answer.lines.join('\n')).toBe('inference.py ran with weights-42 on hello')

    // Another run trains again; the same model bytes and code name the same archive: nothing is made.
    const second = cliIo()
    expect(await main(['run', program, ...LOCAL, '--run-id', 'rp2'], second.io), second.lines.join('\n')).toBe(0)
    expect(second.lines.join('\n')).toMatch(/digits-model: already repacked file:\/\/\S+\/digits-rp2\/output\/model\.tar\.gz/)
    expect(repackedFiles()).toEqual([archive])
  }, 180_000)
})
