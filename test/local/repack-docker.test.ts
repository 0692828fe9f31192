/**
 * A PyTorch (≥ 1.2) program on the Docker runtime: training in the script-mode fixture image, the
 * repack adds inference.py under code/ of the model archive, and the serving container — which, like
 * PyTorch's, reads the code only from /opt/ml/model/code — answers with it. The framework images are
 * tags of the fixture image for this test (removed after it). Skipped with the reason where no engine
 * answers and CI is not set; in CI a missing engine is an error.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { SCRIPT_MODE_IMAGE, dockerForTests, tempFolder } from '../support/docker.js'

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)))
const ready = await dockerForTests()
const tag = randomBytes(3).toString('hex')
const ENDPOINT = `repack-docker-${tag}`

const TRAIN = `import os
with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w") as f:
    f.write("weights-7")
print("trained", flush=True)
`
const INFERENCE = `import os
def model_fn(model_dir):
    with open(os.path.join(model_dir, "model.txt")) as f:
        return f.read().strip()
def transform_fn(model, body, content_type, accept):
    return "inference.py ran in a container with %s on %s" % (model, body.decode().strip()), "text/plain"
`

const cliIo = () => {
  const lines: string[] = []
  return { lines, io: { out: (s: string) => void lines.push(s), err: (s: string) => void lines.push(s) } }
}

describe.skipIf(ready._tag === 'Skip')(`repack on the Docker runtime${ready._tag === 'Skip' ? ` (skipped: ${ready.reason})` : ''}`, () => {
  if (ready._tag === 'Skip') return
  const { docker } = ready
  const folder = tempFolder('repack-docker')
  const root = folder.path
  const state = join(root, 'state')
  const LOCAL = ['--target', 'local', '--runtime', 'docker', '--state-dir', state]
  const tagged: string[] = []

  afterAll(async () => {
    try {
      await main(['endpoints', 'delete', ENDPOINT, '--with-models', ...LOCAL], cliIo().io)
    } finally {
      // Only the tags this test added: the fixture image keeps its own name.
      for (const image of tagged) await docker.getImage(image).remove({ noprune: true }).catch(() => undefined)
      folder.remove()
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

  /** The plan's training and serving images, as tags of the fixture image. */
  const tagImages = async (program: string): Promise<void> => {
    const plan = cliIo()
    expect(await main(['plan', program, '--format', 'json'], plan.io)).toBe(0)
    const steps = JSON.parse(plan.lines.join('\n')).steps as ReadonlyArray<{ requests: ReadonlyArray<{ _tag: string; input: any }> }>
    const images = new Set<string>()
    for (const s of steps)
      for (const r of s.requests) {
        if (r._tag === 'CreateTrainingJob') images.add(r.input.AlgorithmSpecification.TrainingImage)
        if (r._tag === 'CreateModel') images.add(r.input.PrimaryContainer.Image)
      }
    expect(images.size).toBe(2)
    for (const image of images) {
      const at = image.lastIndexOf(':')
      const present = await docker.getImage(image).inspect().then(() => true, () => false)
      if (present) continue
      await docker.getImage(SCRIPT_MODE_IMAGE).tag({ repo: image.slice(0, at), tag: image.slice(at + 1) })
      tagged.push(image)
    }
  }

  it('trains, repacks with inference.py, and the serving container answers with it', async () => {
    const program = writeProgram()
    await tagImages(program)
    const first = cliIo()
    const code = await main(['run', program, ...LOCAL, '--run-id', `rd${tag}`], first.io)
    const text = first.lines.join('\n')
    expect(code, text).toBe(0)
    expect(text).toContain('docker runtime')
    expect(text).toMatch(/digits-model: repacked file:\/\/\S+\/model\.tar\.gz with its serving code/)
    const answer = cliIo()
    expect(await main(['predict', ENDPOINT, '--data', join(root, 'input.txt'), '--content-type', 'text/plain', ...LOCAL], answer.io), answer.lines.join('\n')).toBe(0)
    expect(answer.lines.join('\n')).toBe('inference.py ran in a container with weights-7 on hello')
  }, 300_000)
})
