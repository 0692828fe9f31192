/**
 * The backend port: the narrow set of verbs the executor needs from whatever runs the work. The AWS
 * backend implements it with the SDK's clients; the local backend implements the same verbs on this
 * machine with the same request and response shapes. The executor never knows which one it drives.
 *
 * `send` throws what the SDK throws (service exceptions with a `name` and `$fault`); the executor
 * maps them to tagged errors at this boundary.
 *
 * @since 0.2.0
 */
import type { Input, OperationName, Output } from '../plan/operations.js'
import type { RepackInput, Repacked } from '../code/repack.js'

export type Target = 'aws' | 'local'

export interface CallOptions {
  readonly signal?: AbortSignal
}

/** A packed code archive to put where jobs can read it. */
export interface CodeArchive {
  /** sha256 of the uncompressed tar: the archive's name. */
  readonly sha256: string
  /** The `sourcedir.tar.gz` bytes. */
  readonly gzip: Uint8Array
  /** The program's code location, e.g. `s3://bucket/code`. */
  readonly s3Prefix: string
}

/** A model archive to repack with its serving code (see `code/repack.ts`). */
export interface RepackRequest extends RepackInput {
  /** The program's code location, e.g. `s3://bucket/code`: the repacked archive goes beside the code. */
  readonly s3Prefix: string
}

export interface Progress {
  readonly uri: string
  readonly loaded: number
  readonly total: number
}

/** One line of a job's log, with the host it came from (`algo-1`). */
export interface LogLine {
  readonly host: string
  readonly line: string
  /** Milliseconds since the epoch, where the backend knows it. */
  readonly at?: number
}

/** What a log cursor remembers between calls (opaque to the executor). */
export type LogCursor = unknown

export type LogKind = 'Training' | 'Transform'

export interface Backend {
  readonly target: Target
  /** Words for the user: which runtime, which endpoint, why. */
  readonly describe: string
  /** Send one operation. */
  readonly send: <K extends OperationName>(op: K, input: Input<K>, options?: CallOptions) => Promise<Output<K>>
  /** Put a code archive where jobs can read it (skipping what is there already); returns its URI. */
  readonly stageCode: (archive: CodeArchive, options?: CallOptions & { readonly onProgress?: (p: Progress) => void }) => Promise<string>
  /**
   * Put a model archive with its serving code added where models can read it, unless it is there
   * (the name is the content's); returns its URI and whether anything was uploaded. A backend without
   * it cannot run plans that repack (the executor says so).
   */
  readonly repackModel?: (r: RepackRequest, options?: CallOptions) => Promise<Repacked>
  /**
   * New log lines of a job since `cursor` (undefined: from the start). A backend without logs leaves
   * this out.
   */
  readonly logs?: (kind: LogKind, jobName: string, cursor: LogCursor | undefined, options?: CallOptions) => Promise<{ readonly lines: ReadonlyArray<LogLine>; readonly cursor: LogCursor }>
  /**
   * Resolves when what `name` names may have changed, or after `timeoutMs`. A backend that can tell
   * (local jobs are this process's own) saves the executor from polling; others leave it out and
   * the executor polls with backoff.
   */
  readonly changed?: (name: string, timeoutMs: number, options?: CallOptions) => Promise<void>
  /**
   * Attempts per call, the first included, for the caller's retry policy (`sendRetrying` in
   * calls.ts), which alone retries: a backend whose client retries by itself must not (the AWS
   * backend's SDK clients make one attempt each). @default 3
   */
  readonly maxAttempts?: number
  /** How often to poll when `changed` is absent. */
  readonly poll: { readonly initialMs: number; readonly maxMs: number }
  /** Release clients and connections. Never deletes what the run made. */
  readonly close: () => Promise<void>
}
