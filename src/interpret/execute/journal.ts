/**
 * The run journal: `.sagespec/runs/<run-id>/`, one JSON file for the run and one per step, each
 * replaced atomically (write a temporary file, fsync, rename), so a crash or `kill -9` leaves every
 * file either as it was or as it was meant to be — never half-written. One file per step keeps a
 * write proportional to the step, not to the run.
 *
 * @since 0.2.0
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { Target } from './port.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type StepStatus = 'Pending' | 'Running' | 'Completed' | 'Failed' | 'Stopped'
export type RunStatus = 'Running' | 'Completed' | 'Failed' | 'Interrupted'

export interface Transition {
  readonly status: string
  readonly secondary?: string
  readonly message?: string
  readonly at: string
}

export interface SentRequest {
  readonly op: string
  readonly input: unknown
  /** `created`, or `adopted` when something of that name already existed (nothing was sent). */
  readonly outcome: 'created' | 'adopted' | 'updated'
  readonly at: string
}

export interface StepRecord {
  readonly name: string
  readonly kind: string
  /** 1 for the first try; `--retry-failed` makes the next one under a new name. */
  readonly attempt: number
  readonly physicalName?: string
  readonly status: StepStatus
  readonly requests: ReadonlyArray<SentRequest>
  readonly transitions: ReadonlyArray<Transition>
  /** The final Describe response: where downstream refs are resolved from on resume. */
  readonly describe?: unknown
  readonly reason?: string
  /** Stopped because the run was interrupted (not by a failure): a resume starts it again. */
  readonly interrupted?: boolean
  readonly startedAt?: string
  readonly endedAt?: string
}

export interface RunRecord {
  readonly version: 1
  readonly runId: string
  readonly target: Target
  readonly program: string
  readonly backend: string
  readonly createdAt: string
  readonly updatedAt: string
  readonly status: RunStatus
  readonly params: Readonly<Record<string, string | number | boolean>>
  /** Step names in plan order. */
  readonly steps: ReadonlyArray<string>
  /** Staged code archives: sha256 → URI. */
  readonly code: Readonly<Record<string, string>>
  /** Repacked model archives: `<original URI>\n<code sha256>` → URI. */
  readonly repacks?: Readonly<Record<string, string>>
}

// -------------------------------------------------------------------------------------
// files
// -------------------------------------------------------------------------------------

export const runsDir = (stateDir: string): string => join(stateDir, 'runs')
export const runDir = (stateDir: string, runId: string): string => join(runsDir(stateDir), runId)

/** Replace `file` with `text` (or what `text` writes, piece by piece), atomically. */
export const writeAtomic = (file: string, text: string | ((write: (chunk: string) => void) => void)): void => {
  const tmp = `${file}.${process.pid}.tmp`
  const fd = openSync(tmp, 'w', 0o644)
  try {
    try {
      if (typeof text === 'string') writeSync(fd, text)
      else text((chunk) => void writeSync(fd, chunk))
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, file)
  } catch (e) {
    // A full disk or a vanished folder: the old file stays as it was, and no stray copy is left.
    rmSync(tmp, { force: true })
    throw e
  }
}

const readJson = <A>(file: string): A | undefined => {
  if (!existsSync(file)) return undefined
  return JSON.parse(readFileSync(file, 'utf8')) as A
}

// Step names are validated (letters, digits, hyphens), so they are safe file names.
const stepFile = (dir: string, step: string): string => join(dir, 'steps', `${step}.json`)

/** JSON with Dates as ISO strings (what the SDK returns), keys in insertion order. */
const toJson = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`

export interface Journal {
  readonly dir: string
  readonly run: () => RunRecord
  readonly step: (name: string) => StepRecord | undefined
  readonly putRun: (r: RunRecord) => void
  readonly putStep: (s: StepRecord) => void
}

/** Open a run's journal, creating its folder; `existing` is what was there (resume). */
export const openJournal = (stateDir: string, runId: string, fresh: RunRecord): { journal: Journal; existing: boolean } => {
  const dir = runDir(stateDir, runId)
  const existing = readJson<RunRecord>(join(dir, 'run.json'))
  mkdirSync(join(dir, 'steps'), { recursive: true })
  // A temporary file left by a kill between write and rename is only ever an unfinished copy.
  for (const f of readdirSync(join(dir, 'steps'))) if (f.endsWith('.tmp')) rmSync(join(dir, 'steps', f), { force: true })
  let run = existing ?? fresh
  const steps = new Map<string, StepRecord>()
  const journal: Journal = {
    dir,
    run: () => run,
    step: (name) => {
      if (!steps.has(name)) {
        const s = readJson<StepRecord>(stepFile(dir, name))
        if (s !== undefined) steps.set(name, s)
      }
      return steps.get(name)
    },
    putRun: (r) => {
      run = r
      writeAtomic(join(dir, 'run.json'), toJson(r))
    },
    putStep: (s) => {
      steps.set(s.name, s)
      writeAtomic(stepFile(dir, s.name), toJson(s))
    },
  }
  if (existing === undefined) journal.putRun(fresh)
  return { journal, existing: existing !== undefined }
}

/** Every run in the state folder, newest first. */
export const listRuns = (stateDir: string): ReadonlyArray<RunRecord> => {
  const dir = runsDir(stateDir)
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .flatMap((id) => {
      try {
        const r = readJson<RunRecord>(join(dir, id, 'run.json'))
        return r === undefined ? [] : [r]
      } catch {
        return []
      }
    })
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.runId < b.runId ? 1 : -1))
}

/** A run and its steps, as recorded. */
export const readRun = (stateDir: string, runId: string): { run: RunRecord; steps: ReadonlyArray<StepRecord> } | undefined => {
  const dir = runDir(stateDir, runId)
  const run = readJson<RunRecord>(join(dir, 'run.json'))
  if (run === undefined) return undefined
  return { run, steps: run.steps.flatMap((s) => readJson<StepRecord>(stepFile(dir, s)) ?? []) }
}

/**
 * A new run id: `yyMMdd-xxxxx` (12 characters, lowercase letters and digits), short enough that a
 * retry's `-rN` still fits the 15-character stamp every physical name leaves room for.
 */
export const newRunId = (now: Date, random: () => number): string => {
  const d = now.toISOString()
  const day = `${d.slice(2, 4)}${d.slice(5, 7)}${d.slice(8, 10)}`
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'
  let tail = ''
  for (let i = 0; i < 5; i++) tail += alphabet[Math.floor(random() * alphabet.length) % alphabet.length]
  return `${day}-${tail}`
}

/** Run ids are stamps inside physical names: letters, digits and inner hyphens, at most 12 characters. */
export const isRunId = (s: string): boolean => s.length <= 12 && /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/.test(s)
