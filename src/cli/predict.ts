/**
 * `sagespec predict <endpoint> --data FILE|- --content-type … --accept … --target aws|local`: send
 * the bytes of a file (or standard input) to an endpoint and write its answer's bytes to standard
 * output, unchanged. An error from the model's container is shown with the container's own message.
 *
 * @since 0.2.0
 */
import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { CONTENT_TYPES } from '../frameworks/serializers.js'
import { describePredictError, predictor } from '../interpret/predict/predictor.js'
import type { Io } from './compile.js'
import { readTargetFlags, TARGET_FLAGS, TARGET_USAGE, withBackend, type CommandDeps } from './targets.js'
import { parseCommand } from './args.js'

export const usage = `Usage: sagespec predict <endpoint> --data FILE|- --target aws|local [options]

Sends the bytes of FILE (- : standard input) to the endpoint and writes its answer to standard
output as it came.

Options:
  --data FILE|-               what to send (required)
  --content-type TYPE         what it is (default: by the file's extension — .csv text/csv, .json
                              application/json, .npy application/x-npy — else application/octet-stream)
  --accept TYPE               the answer's type to ask for (default */*)
  --target-variant NAME       send to this production variant
${TARGET_USAGE}`

const BY_EXTENSION: { readonly [ext: string]: string } = { '.csv': CONTENT_TYPES.csv, '.json': CONTENT_TYPES.json, '.npy': CONTENT_TYPES.npy }

/** The content type a file's name suggests. */
export const contentTypeOf = (file: string): string => BY_EXTENSION[extname(file).toLowerCase()] ?? CONTENT_TYPES.bytes

export interface PredictDeps extends CommandDeps {
  /** @default all of process.stdin */
  readonly stdin?: () => Promise<Uint8Array>
}

const readStdin = async (): Promise<Uint8Array> => {
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

export const predictCommand = async (args: ReadonlyArray<string>, io: Io, deps: PredictDeps = {}): Promise<number> => {
  const parsed = parseCommand(args, {
        ...TARGET_FLAGS,
        data: { type: 'string' },
        'content-type': { type: 'string' },
        accept: { type: 'string', default: '*/*' },
        'target-variant': { type: 'string' },
      }, usage, io)
  if (!parsed.ok) return parsed.code
  const v = parsed.values
  const [endpoint, ...rest] = parsed.positionals
  const problems: string[] = []
  if (endpoint === undefined || rest.length > 0) problems.push('expected one endpoint name')
  if (v.data === undefined) problems.push('--data is required (a file, or - for standard input)')
  const chosen = readTargetFlags(v)
  if (!chosen.ok) problems.push(...chosen.problems)
  if (problems.length > 0 || !chosen.ok) {
    io.err(`${problems.join('\n')}\n\n${usage}`)
    return 2
  }
  let body: Uint8Array
  try {
    body = v.data === '-' ? await (deps.stdin ?? readStdin)() : await readFile(v.data!)
  } catch (e) {
    io.err(`--data ${v.data}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`)
    return 2
  }
  const contentType = v['content-type'] ?? (v.data === '-' ? CONTENT_TYPES.bytes : contentTypeOf(v.data!))

  return withBackend(io, chosen.target, chosen.options, deps, async (backend, signal) => {
    const p = predictor(endpoint!, {
      backend,
      contentType,
      accept: v.accept!,
      ...(v['target-variant'] === undefined ? {} : { targetVariant: v['target-variant'] }),
    })
    const answer = await p.invoke(body, { signal })
    if (E.isLeft(answer)) {
      io.err(describePredictError(answer.left))
      return 1
    }
    if (io.write !== undefined) io.write(answer.right.body)
    else io.out(new TextDecoder().decode(answer.right.body))
    return 0
  })
}
