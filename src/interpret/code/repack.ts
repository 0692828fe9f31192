/**
 * Repacking a model archive for serving containers that load inference code from inside the model
 * (`/opt/ml/model/code`): PyTorch ≥ 1.2, MXNet ≥ 1.4, TensorFlow Serving with an entry point, Hugging
 * Face, and scikit-learn / XGBoost with network isolation. The archive gets `code/` (the source
 * directory, or the entry point alone, and `code/lib/<dependency>`), as the reference SDK's
 * `repack_model` lays it out; with a source directory the archive's own `code/` is replaced, without
 * one the entry point is added beside it.
 *
 * The result is content-addressed: its name is the sha256 of the original archive's bytes and the
 * code's sha256 (with a layout version), so a re-run finds it and uploads nothing. The original is
 * known only at run time; the plan shows `<repack of … + code …>`.
 *
 * Shared by the AWS and local backends through a small store port (fetch, exists, put). Extraction goes
 * through `safeExtract` into a fresh temporary folder, which is always removed.
 *
 * @since 0.3.0
 */
import { createHash } from 'node:crypto'
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { packFolder, safeExtract } from '../../local/archive.js'
import type { Code } from '../../spec/val.js'
import { REPACKED_NAME, repackLocation } from './pack.js'

/** Changes whenever the layout of a repacked archive does, so older repacks are not taken for new ones. */
export const REPACK_LAYOUT = 'sagespec-repack-v1'

// Where a repack goes is named in pack.ts, which the plan loads without tar: planning never repacks.
export { REPACKED_NAME, repackLocation }

/** The repacked archive's name: its inputs' hashes, hashed. */
export const repackName = (originalSha256: string, codeSha256: string): string =>
  createHash('sha256').update(`${REPACK_LAYOUT}\n${originalSha256}\n${codeSha256}`).digest('hex')


/** What a backend gives the repacker: read an archive, say whether a target exists, put one. */
export interface RepackStore {
  /** Copy the archive at `uri` to the local `file`. */
  readonly fetch: (uri: string, file: string) => Promise<void>
  /** The URI the repacked archive of this name goes to. */
  readonly target: (name: string) => string
  readonly exists: (uri: string) => Promise<boolean>
  readonly put: (uri: string, file: string) => Promise<void>
}

/** @category model */
export interface RepackInput {
  readonly modelUri: string
  /** The `model-code` layout tar (`packCode(…, { layout: 'model-code' })`) and its sha256. */
  readonly codeTar: Uint8Array
  readonly codeSha256: string
  /** With a source directory, the archive's own `code/` is replaced; without, the script joins it. */
  readonly replaceCode: boolean
}

export interface Repacked {
  readonly uri: string
  /** False when the target was there already: nothing was made or uploaded. */
  readonly uploaded: boolean
  readonly originalSha256: string
}

const sha256File = (file: string): Promise<string> =>
  new Promise((res, rej) => {
    const h = createHash('sha256')
    createReadStream(file)
      .on('data', (d) => h.update(d))
      .on('error', rej)
      .on('end', () => res(h.digest('hex')))
  })

/**
 * Repack unless the result exists. Throws with a message a person can act on (an archive refused as
 * unsafe, a store error); the temporary folder is removed either way.
 */
export const repackModel = async (store: RepackStore, input: RepackInput): Promise<Repacked> => {
  const tmp = mkdtempSync(join(tmpdir(), 'sagespec-repack-'))
  try {
    const original = join(tmp, 'original.tar.gz')
    await store.fetch(input.modelUri, original)
    const originalSha256 = await sha256File(original)
    const uri = store.target(repackName(originalSha256, input.codeSha256))
    if (await store.exists(uri)) return { uri, uploaded: false, originalSha256 }
    const model = join(tmp, 'model')
    const unpacked = await safeExtract(original, model)
    if (E.isLeft(unpacked)) throw new Error(`model archive ${input.modelUri}: ${unpacked.left}`)
    if (input.replaceCode) rmSync(join(model, 'code'), { recursive: true, force: true })
    const codeTar = join(tmp, 'code.tar')
    writeFileSync(codeTar, input.codeTar)
    const added = await safeExtract(codeTar, model)
    if (E.isLeft(added)) throw new Error(`serving code: ${added.left}`)
    const out = join(tmp, REPACKED_NAME)
    await packFolder(model, out)
    await store.put(uri, out)
    return { uri, uploaded: true, originalSha256 }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}
