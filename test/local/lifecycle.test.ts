/**
 * A local run through the real CLI, in a child process: Ctrl-C stops the job and leaves no process
 * behind; `kill -9` of the command leaves a job that the next command reports as failed (and whose
 * processes it removes), and a resume creates nothing twice. Also the README's quick start.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { readRun } from '../../src/interpret/execute/journal.js'
import { eventually, gone, tempDir } from './support.js'

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)))
const root = tempDir('lifecycle')
afterAll(() => rmSync(root, { recursive: true, force: true }))

const children: ChildProcess[] = []
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
})

/** A program whose job writes its pid, then sleeps: long enough to be interrupted. */
const writeProgram = (name: string, seconds: number): { program: string; pidFile: string } => {
  const dir = join(root, name)
  const pidFile = join(dir, 'pid')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'train.py'), `import os, time\nopen(${JSON.stringify(pidFile)}, "w").write(str(os.getpid()))\nprint("sleeping", flush=True)\ntime.sleep(${seconds})\n`)
  const program = join(dir, 'program.ts')
  writeFileSync(
    program,
    `import { program } from ${JSON.stringify(join(repo, 'src/index.ts'))}
import { sklearn } from ${JSON.stringify(join(repo, 'src/frameworks/index.ts'))}
export default program(sklearn('sleepy', {
  entryPoint: 'train.py',
  sourceDir: ${JSON.stringify(dir)},
  codeLocation: 's3://unused/code',
  frameworkVersion: '1.2-1',
  region: 'us-west-2',
  role: 'arn:aws:iam::111122223333:role/SageMakerRole',
  instanceType: 'ml.m5.large',
  output: { s3OutputPath: ${JSON.stringify(`file://${dir}/out`)} },
}))
`,
  )
  return { program, pidFile }
}

/** `sagespec run … --target local --runtime process` in a child process (through tsx). */
const cli = (args: ReadonlyArray<string>): { child: ChildProcess; output: () => string; exit: Promise<number | null> } => {
  const entry = join(root, 'cli.mts')
  if (!existsSync(entry)) writeFileSync(entry, `import { main } from ${JSON.stringify(join(repo, 'src/cli/main.ts'))}\nprocess.exitCode = await main(process.argv.slice(2))\n`)
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let out = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()))
  return { child, output: () => out, exit: new Promise((res) => child.once('exit', (code) => res(code))) }
}

const readPid = (f: string) => (existsSync(f) && readFileSync(f, 'utf8') !== '' ? Number(readFileSync(f, 'utf8')) : undefined)

describe('local runs through the CLI', () => {
  it('Ctrl-C stops the running job: the command exits 130, the job is recorded Stopped, its process is gone, and a resume runs it again', async () => {
    const { program, pidFile } = writeProgram('interrupt', 60)
    const state = join(root, 'state-interrupt')
    const run = cli(['run', program, '--target', 'local', '--runtime', 'process', '--state-dir', state, '--run-id', 'ctrlc'])
    const pid = await eventually(() => readPid(pidFile), 30_000, 'the job to start').catch((e: Error) => {
      throw new Error(`${e.message}; the command said: ${run.output()}`)
    })
    run.child.kill('SIGINT')
    expect(await run.exit).toBe(130)
    expect(gone(pid)).toBe(true)
    expect(run.output()).toContain('sleepy: stopping sleepy-ctrlc')
    const job = JSON.parse(readFileSync(join(state, 'local/training-jobs/sleepy-ctrlc.json'), 'utf8'))
    expect(job.describe.TrainingJobStatus).toBe('Stopped')
    expect(readRun(state, 'ctrlc')!.steps[0]!.status).toBe('Stopped')

    // A step stopped by an interrupt did not fail: the resume starts it again, under a new name.
    writeFileSync(join(root, 'interrupt', 'train.py'), 'print("quick")\n')
    const io = { out: () => undefined, err: () => undefined }
    expect(await main(['run', program, '--target', 'local', '--runtime', 'process', '--state-dir', state, '--resume', 'ctrlc'], io)).toBe(0)
    expect(readRun(state, 'ctrlc')!.steps[0]!.physicalName).toBe('sleepy-ctrlc-r2')
  })

  it('after kill -9 of the command, a resume reports the job failed, removes its processes and creates nothing twice; --retry-failed runs it again', async () => {
    const { program, pidFile } = writeProgram('killed', 60)
    const state = join(root, 'state-killed')
    const first = cli(['run', program, '--target', 'local', '--runtime', 'process', '--state-dir', state, '--run-id', 'k9'])
    const pid = await eventually(() => readPid(pidFile), 30_000, 'the job to start').catch((e: Error) => {
      throw new Error(`${e.message}; the command said: ${first.output()}`)
    })
    // Killed once the job's line has been seen (and so logged), not merely once it started.
    await eventually(() => (first.output().includes('sleepy [algo-1] sleeping') ? true : undefined), 30_000, 'the job to print its line')
    first.child.kill('SIGKILL')
    await first.exit
    // The job's process outlives a killed command (it has its own process group)…
    expect(gone(pid)).toBe(false)
    const out: string[] = []
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void out.push(s) }
    const resumed = await main(['run', program, '--target', 'local', '--runtime', 'process', '--state-dir', state, '--resume', 'k9'], io)
    expect(resumed).toBe(1)
    // …until the next command finds its owner gone: it removes it and reports the job failed.
    await eventually(() => (gone(pid) ? true : undefined), 10_000, 'the orphan to be removed')
    // The lines the job printed under the killed command are shown from its log file.
    expect(out).toContain('sleepy [algo-1] sleeping')
    expect(out.join('\n')).toMatch(/sleepy-k9 ended Failed: InternalServerError: the sagespec command that ran this local job \(pid \d+\) ended before the job finished/)
    const journal = readRun(state, 'k9')!
    expect(journal.steps[0]!.requests.map((r) => [r.op, r.outcome])).toEqual([
      ['CreateTrainingJob', 'created'],
      ['CreateTrainingJob', 'adopted'],
    ])

    // A retry runs it under a new name; make it quick this time.
    writeFileSync(join(root, 'killed', 'train.py'), 'print("quick")\n')
    const retried = await main(['run', program, '--target', 'local', '--runtime', 'process', '--state-dir', state, '--resume', 'k9', '--retry-failed'], io)
    expect(retried).toBe(0)
    expect(readRun(state, 'k9')!.steps[0]!.physicalName).toBe('sleepy-k9-r2')
  })

  it("the README's quick start trains with python3, serves, batch-transforms, and tears down what it deployed", async () => {
    const state = join(root, 'state-quickstart')
    const out: string[] = []
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void out.push(s) }
    const cwd = process.cwd()
    process.chdir(repo)
    try {
      const code = await main(['run', 'examples/local/quickstart.ts', '--target', 'local', '--runtime', 'process', '--state-dir', state, '--run-id', 'qstest', '--teardown'], io)
      const text = out.join('\n')
      expect(code, text).toBe(0)
      expect(text).toMatch(/quickstart \[algo-1\] epoch 200: mse=0\.0\d+/)
      expect(text).toMatch(/metric:train:mse=0\.0\d+/)
      const artifacts = join(repo, '.sagespec/output/quickstart-qstest/output/model.tar.gz')
      expect(existsSync(artifacts)).toBe(true)
      expect(text).toContain('modelArtifacts=file://.sagespec/output/quickstart-qstest/output/model.tar.gz')
      // The transform scored every row with the trained model (y ≈ 3·x1 − 2·x2 + 0.5).
      const scores = readFileSync(join(repo, '.sagespec/output/scores/rows.csv.out'), 'utf8').trim().split('\n').map(Number)
      expect(scores).toHaveLength(3)
      const want = [3 * 1 - 2 * 2 + 0.5, 3 * 0.5 - 2 * -1 + 0.5, 3 * 3 + 0.5]
      scores.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(0.1))
      // --teardown: the endpoint, its config and its model are gone, and nothing serves any more.
      expect(text).toContain('teardown: deleted endpoint quickstart')
      expect(text).toContain('teardown: deleted model quickstart-model-qstest')
      const listed: string[] = []
      expect(await main(['endpoints', 'list', '--target', 'local', '--runtime', 'process', '--state-dir', state], { out: (s) => void listed.push(s), err: (s) => void listed.push(s) })).toBe(0)
      expect(listed.join('\n')).toBe('No endpoints.')
    } finally {
      process.chdir(cwd)
      rmSync(join(repo, '.sagespec/output/quickstart-qstest'), { recursive: true, force: true })
      rmSync(join(repo, '.sagespec/output/scores'), { recursive: true, force: true })
    }
  })
})
