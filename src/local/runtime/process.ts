/**
 * The process runtime: a script-mode entry point run as host processes, one per host, with what the
 * SageMaker training toolkit gives it inside a framework container — the `SM_*` variables derived
 * from the host's `/opt/ml` config files (here pointing at the host's folder on this machine), the
 * user's hyperparameters as `--name value` arguments, and the unpacked source archive as the working
 * directory. So a user without Docker trains the same script the same way.
 *
 * Each host is spawned without a shell, in a process group of its own, so stopping it (or the end of
 * its main process) takes every process it started with it. The groups of running jobs are written
 * to `<dir>/<job>.json`, so a later command can remove what a killed one left behind (`sweep`).
 *
 * @since 0.2.0
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { cpus } from 'node:os'
import { dirname, join, posix } from 'node:path'
import { constants } from 'node:os'
import { sleep } from '../../interpret/execute/calls.js'
import { writeAtomic } from '../../interpret/execute/journal.js'
import { pyFloat } from '../../frameworks/algorithms/descriptors.js'
import type { HostExit, HostSpec, JobHandle, JobSpec, Runtime } from './runtime.js'
import { startServing } from '../serving/process-serve.js'

// -------------------------------------------------------------------------------------
// the toolkit's conventions
// -------------------------------------------------------------------------------------

/** A hyperparameter as the toolkit reads it: JSON when it parses, else the text itself. */
export const decodeHyperParameter = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

const NUMBER = /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/

/** Python's `repr` of a decoded JSON value (strings quoted, True/False/None). */
const pyRepr = (v: unknown): string => {
  if (typeof v === 'string') return v.includes("'") && !v.includes('"') ? `"${v}"` : `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
  return pyStrOf(v)
}

/** Python's `str` of a decoded JSON value. */
const pyStrOf = (v: unknown): string => {
  if (v === null) return 'None'
  if (typeof v === 'boolean') return v ? 'True' : 'False'
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pyFloat(v)
  if (typeof v === 'string') return v
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`
  return `{${Object.entries(v as object)
    .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
    .join(', ')}}`
}

/**
 * `--name value` for each user hyperparameter (sorted by name; `-n` for a one-letter name), the value
 * printed as Python's `str` of the decoded JSON — `1.0` stays `1.0`, `true` becomes `True` — and a
 * mapping as `k=v,k2=v2`, exactly as the toolkit's `to_cmd_args`.
 */
export const toCmdArgs = (raw: Readonly<Record<string, string>>): ReadonlyArray<string> =>
  Object.keys(raw)
    .sort()
    .flatMap((k) => {
      const text = raw[k]!
      const v = decodeHyperParameter(text)
      const value =
        typeof v === 'number' && isFloatText(text)
          ? pyFloat(v)
          : typeof v === 'object' && v !== null && !Array.isArray(v)
            ? Object.entries(v)
                .sort(([a], [b]) => (a < b ? -1 : 1))
                .map(([a, b]) => `${a}=${pyStrOf(b)}`)
                .join(',')
            : pyStrOf(v)
      return [k.length > 1 ? `--${k}` : `-${k}`, value]
    })

/** Python's `json.dumps(v, sort_keys=True, separators=(",", ":"))`, as the toolkit writes SM_* values. */
const sortedJson = (v: unknown): string =>
  JSON.stringify(v, (_, x: unknown) =>
    typeof x === 'object' && x !== null && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  )

/** A hyperparameter's text that Python's json decodes to a float (`1.0`, `1e-05`). */
const isFloatText = (text: string): boolean => NUMBER.test(text) && /[.eE]/.test(text)

/** `json.dumps` of one decoded hyperparameter: floats stay floats (`1.0`), as in Python. */
const hpJson = (text: string): string => (isFloatText(text) ? pyFloat(Number(text)) : sortedJson(decodeHyperParameter(text)))

/** SM_HPS: the user's hyperparameters as the toolkit dumps them (sorted keys, compact, floats kept). */
const hpsJson = (raw: Readonly<Record<string, string>>): string =>
  `{${Object.keys(raw)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${hpJson(raw[k]!)}`)
    .join(',')}}`

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'))

/** Hyperparameters the toolkit keeps for itself (the rest of `sagemaker_*` are framework parameters). */
const TOOLKIT_HPS = ['sagemaker_program', 'sagemaker_submit_directory', 'sagemaker_region', 'sagemaker_job_name', 'sagemaker_container_log_level', 'sagemaker_enable_cloudwatch_metrics', 'sagemaker_s3_output']

/**
 * The environment the training toolkit gives a script, read from the host's config files, with every
 * `/opt/ml` path at the host's folder.
 */
export const toolkitEnv = (host: HostSpec, program: string, codeDir: string, numCpus: number = cpus().length): Record<string, string> => {
  const opt = (p: string) => join(host.optMl, p)
  const raw = readJson(opt('input/config/hyperparameters.json')) as Record<string, string>
  const resource = readJson(opt('input/config/resourceconfig.json')) as { current_host: string; hosts: string[]; current_instance_type?: string; current_group_name?: string; network_interface_name?: string }
  const inputData = readJson(opt('input/config/inputdataconfig.json')) as Record<string, unknown>
  const decoded = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, decodeHyperParameter(v)]))
  const user = Object.fromEntries(Object.entries(decoded).filter(([k]) => !k.startsWith('sagemaker_')))
  const userRaw = Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('sagemaker_')))
  const framework = Object.fromEntries(Object.entries(decoded).filter(([k]) => k.startsWith('sagemaker_') && !TOOLKIT_HPS.includes(k)))
  const channels = Object.keys(inputData).sort()
  const channelDirs = Object.fromEntries(channels.map((c) => [c, opt(`input/data/${c}`)]))
  const args = toCmdArgs(userRaw)
  const logLevel = typeof decoded['sagemaker_container_log_level'] === 'number' ? decoded['sagemaker_container_log_level'] : 20
  const moduleName = program.endsWith('.py') ? program.slice(0, -3) : program
  const training = {
    additional_framework_parameters: framework,
    channel_input_dirs: channelDirs,
    current_host: resource.current_host,
    current_instance_type: resource.current_instance_type ?? 'local',
    framework_module: null,
    hosts: resource.hosts,
    hyperparameters: user,
    input_config_dir: opt('input/config'),
    input_data_config: inputData,
    input_dir: opt('input'),
    is_master: resource.current_host === resource.hosts[0],
    job_name: host.env['TRAINING_JOB_NAME'] ?? '',
    log_level: logLevel,
    master_hostname: resource.hosts[0],
    model_dir: opt('model'),
    module_dir: codeDir,
    module_name: moduleName,
    network_interface_name: resource.network_interface_name ?? 'eth0',
    num_cpus: numCpus,
    num_gpus: 0,
    output_data_dir: opt('output/data'),
    output_dir: opt('output'),
    output_intermediate_dir: opt('output/intermediate'),
    resource_config: resource,
    user_entry_point: program,
  }
  return {
    SM_HOSTS: sortedJson(resource.hosts),
    SM_NETWORK_INTERFACE_NAME: training.network_interface_name,
    SM_HPS: hpsJson(userRaw),
    SM_USER_ENTRY_POINT: program,
    SM_FRAMEWORK_PARAMS: sortedJson(framework),
    SM_RESOURCE_CONFIG: sortedJson(resource),
    SM_INPUT_DATA_CONFIG: sortedJson(inputData),
    SM_OUTPUT_DATA_DIR: training.output_data_dir,
    SM_CHANNELS: sortedJson(channels),
    SM_CURRENT_HOST: resource.current_host,
    SM_CURRENT_INSTANCE_TYPE: training.current_instance_type,
    SM_CURRENT_INSTANCE_GROUP: resource.current_group_name ?? 'homogeneousCluster',
    SM_MODULE_NAME: moduleName,
    SM_LOG_LEVEL: String(logLevel),
    SM_FRAMEWORK_MODULE: '',
    SM_INPUT_DIR: training.input_dir,
    SM_INPUT_CONFIG_DIR: training.input_config_dir,
    SM_OUTPUT_DIR: training.output_dir,
    SM_NUM_CPUS: String(numCpus),
    SM_NUM_GPUS: '0',
    SM_MODEL_DIR: training.model_dir,
    SM_MODULE_DIR: codeDir,
    SM_TRAINING_ENV: sortedJson(training),
    SM_USER_ARGS: sortedJson(args),
    SM_OUTPUT_INTERMEDIATE_DIR: training.output_intermediate_dir,
    ...Object.fromEntries(channels.map((c) => [`SM_CHANNEL_${c.toUpperCase()}`, channelDirs[c]!])),
    ...Object.fromEntries(Object.entries(userRaw).map(([k, text]) => [`SM_HP_${k.toUpperCase()}`, typeof user[k] === 'string' ? (user[k] as string) : hpJson(text)])),
  }
}

// -------------------------------------------------------------------------------------
// mounts
// -------------------------------------------------------------------------------------

/**
 * A mount becomes a symbolic link in the host's folder: `/opt/ml/input/data/train` → the user's
 * folder. (Read-only is not enforced for host processes; the Docker runtime enforces it.)
 */
const linkMounts = (host: HostSpec): void => {
  for (const m of host.mounts) {
    const rel = posix.relative('/opt/ml', m.target)
    if (rel === '' || rel.startsWith('..')) continue
    const at = join(host.optMl, ...rel.split('/'))
    if (existsSync(at) || isLink(at)) {
      const st = lstatSync(at)
      if (st.isDirectory() && readdirSync(at).length === 0) rmSync(at, { recursive: true })
      else if (st.isSymbolicLink()) rmSync(at)
      else throw new Error(`${at}: exists and is not empty; cannot show ${m.source} there`)
    }
    mkdirSync(dirname(at), { recursive: true })
    symlinkSync(m.source, at)
  }
}

const isLink = (p: string): boolean => {
  try {
    return lstatSync(p).isSymbolicLink()
  } catch {
    return false
  }
}

// -------------------------------------------------------------------------------------
// processes
// -------------------------------------------------------------------------------------

const signalCode = (signal: NodeJS.Signals | null): number => (signal === null ? 1 : 128 + (constants.signals[signal] ?? 0))

const killGroup = (pid: number, signal: NodeJS.Signals): void => {
  try {
    process.kill(-pid, signal)
  } catch {
    // Already gone.
  }
}

/** Split a stream into lines (a last unterminated line is flushed at the end). */
const lines = (stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): Promise<void> =>
  new Promise((res) => {
    if (stream === null) return res()
    let rest = ''
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split(/\r?\n/)
      rest = parts.pop() ?? ''
      for (const p of parts) onLine(p)
    })
    stream.on('end', () => {
      if (rest !== '') onLine(rest)
      res()
    })
    stream.on('error', () => res())
  })

interface Recorded {
  readonly labels: Readonly<Record<string, string>>
  readonly groups: ReadonlyArray<number>
  /** Each group's marker, to make sure a pid that was reused is never killed. */
  readonly marker: string
}

/**
 * The processes that carry `marker` in their environment (Linux's /proc): what a job started, and
 * nothing else even when a pid has been reused since. Elsewhere, none can be told apart: none.
 */
/** Exited: no such process, or a zombie (whose files, sockets included, are closed already). */
const exited = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
    // The state follows the command name, which is in parentheses and may contain any character.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    return state === 'Z' || state === 'X'
  } catch {
    return true
  }
}

/** Wait (up to 10 s: SIGKILL cannot be refused, only delayed by the kernel) until every pid exited. */
const untilExited = async (pids: ReadonlyArray<number>): Promise<void> => {
  const deadline = Date.now() + 10_000
  while (pids.some((p) => !exited(p)) && Date.now() < deadline) await sleep(10)
}

export const markedProcesses = (marker: string): ReadonlyArray<number> => {
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d))
  } catch {
    return []
  }
  return pids.flatMap((p) => {
    try {
      return readFileSync(`/proc/${p}/environ`, 'latin1').split('\0').includes(`SAGESPEC_PROCESS=${marker}`) ? [Number(p)] : []
    } catch {
      return []
    }
  })
}

export interface ProcessRuntimeOptions {
  /** Where the process groups of running jobs are recorded (`<stateDir>/local/processes`). */
  readonly dir: string
  /** @default 'python3' */
  readonly python?: string
  /** The environment the hosts inherit (PATH, HOME, …). @default process.env */
  readonly env?: NodeJS.ProcessEnv
}

export const processRuntime = (o: ProcessRuntimeOptions): Runtime => {
  const python = o.python ?? 'python3'
  const baseEnv = o.env ?? process.env
  let version: string | undefined
  const pythonVersion = (): string | undefined => {
    if (version === undefined) {
      const r = spawnSync(python, ['--version'], { encoding: 'utf8' })
      version = r.status === 0 ? (r.stdout || r.stderr).trim() : ''
    }
    return version === '' ? undefined : version
  }
  const recordFile = (id: string) => join(o.dir, `${id}.json`)
  // Groups still running when this process exits (a second Ctrl-C exits at once) go with it.
  const live = new Set<number>()
  const onExit = () => {
    for (const pid of live) killGroup(pid, 'SIGKILL')
  }
  process.on('exit', onExit)
  return {
    kind: 'process',
    describe: `host processes (${python})`,
    check: async (job) => {
      // Serving needs no entry point: the model server finds the inference script under the model too.
      if (job.script === undefined && job.mode !== 'serve')
        return `${job.image === '' ? 'this job' : job.image} needs a container: the process runtime runs script-mode entry points (sagemaker_program) only; run it with --runtime docker`
      if (pythonVersion() === undefined) return `${python} was not found on PATH: the process runtime runs entry points with it (install Python 3, or use --runtime docker)`
      return undefined
    },
    start: async (job: JobSpec, onLine) => {
      if (job.mode === 'serve') return startServing(job, onLine, { python, env: baseEnv, dir: o.dir })
      const script = job.script
      if (script === undefined) throw new Error('process runtime: a job without a script (check() refuses it)')
      const marker = `${job.id}-${process.pid}-${Date.now()}`
      const children: Array<{ host: string; child: ChildProcess }> = []
      for (const host of job.hosts) {
        linkMounts(host)
        const toolkit = toolkitEnv(host, script.program, script.codeDir)
        const env = {
          ...baseEnv,
          ...host.env,
          ...toolkit,
          PYTHONUNBUFFERED: '1',
          SAGESPEC_PROCESS: marker,
        }
        const child = spawn(python, [script.program, ...(JSON.parse(toolkit['SM_USER_ARGS']!) as string[])], {
          cwd: script.codeDir,
          env,
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        children.push({ host: host.host, child })
        if (child.pid !== undefined) live.add(child.pid)
      }
      mkdirSync(o.dir, { recursive: true })
      const record: Recorded = { labels: job.labels, groups: children.flatMap((c) => (c.child.pid === undefined ? [] : [c.child.pid])), marker }
      writeAtomic(recordFile(job.id), JSON.stringify(record))
      const exited: Promise<ReadonlyArray<HostExit>> = Promise.all(
        children.map(
          ({ host, child }) =>
            new Promise<HostExit>((res) => {
              const out = Promise.all([lines(child.stdout, (l) => onLine(host, l)), lines(child.stderr, (l) => onLine(host, l))])
              child.once('error', (e) => {
                onLine(host, `cannot start ${python}: ${e.message}`)
                res({ host, exitCode: 127, oomKilled: false })
              })
              child.once('exit', (code, signal) => {
                // What the entry point left running in its group ends with it, as in a container.
                if (child.pid !== undefined) {
                  killGroup(child.pid, 'SIGKILL')
                  live.delete(child.pid)
                }
                void out.then(() => res({ host, exitCode: code ?? signalCode(signal), oomKilled: false }))
              })
            }),
        ),
      ).then((exits) => {
        rmSync(recordFile(job.id), { force: true })
        return exits
      })
      let stopping: Promise<void> | undefined
      const handle: JobHandle = {
        addresses: [],
        exited,
        stop: (graceMs = 10_000) =>
          (stopping ??= (async () => {
            const live = children.filter((c) => c.child.exitCode === null && c.child.signalCode === null && c.child.pid !== undefined)
            for (const c of live) killGroup(c.child.pid!, 'SIGTERM')
            const timer = setTimeout(() => {
              for (const c of live) killGroup(c.child.pid!, 'SIGKILL')
            }, graceMs)
            await exited
            clearTimeout(timer)
          })()),
      }
      return handle
    },
    sweep: async (labels) => {
      if (!existsSync(o.dir)) return
      for (const f of readdirSync(o.dir).filter((n) => n.endsWith('.json'))) {
        let r: Recorded
        try {
          r = readJson(join(o.dir, f)) as Recorded
        } catch {
          continue
        }
        if (!Object.entries(labels).every(([k, v]) => r.labels[k] === v)) continue
        const pids = markedProcesses(r.marker)
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGKILL')
          } catch {
            // Gone meanwhile.
          }
        }
        // A killed server still holds its port until it has exited; whoever swept expects the port
        // closed (a connection refused), not accepted and then reset.
        await untilExited(pids)
        rmSync(join(o.dir, f), { force: true })
      }
    },
    close: async () => {
      process.off('exit', onExit)
    },
  }
}
