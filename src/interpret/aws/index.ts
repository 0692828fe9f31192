/**
 * The AWS run target: its capability check (with `--upload-local-data`, local data is uploaded and
 * the plan rewritten to read it from S3) and its backend.
 *
 * @since 0.2.0
 */
import { existsSync } from 'node:fs'
import type { SpecError } from '../../spec/errors.js'
import type { TargetModule, TargetOptions } from '../execute/target.js'
import type { Plan } from '../plan/plan.js'
import { createAwsBackend } from './backend.js'
import { awsProblems, localLocations, withUploadedData } from './capabilities.js'
import { clearly, endpointOverride } from './config.js'
import { hashLocalData, localPath, uploadLocalData } from './local-data.js'
import { s3Client } from './s3.js'
import { putDataObjects } from './data-objects.js'
import { parseS3Uri } from './s3-uri.js'

/** Upload every local folder the plan reads (once each) and rewrite the plan to read S3. */
const uploadAll = async (plan: Plan, options: TargetOptions): Promise<{ readonly errors: ReadonlyArray<SpecError>; readonly plan: Plan }> => {
  const dest = parseS3Uri(options.uploadLocalData!)!
  const wanted = localLocations(plan).filter((l) => l.uploadable)
  if (wanted.length === 0) return { errors: [], plan }
  const missing = wanted.filter((l) => !existsSync(localPath(l.uri, options.baseDir)))
  if (missing.length > 0)
    return { errors: missing.map((l) => ({ _tag: 'Rule', path: l.path, expected: 'a local file or folder that exists', actual: localPath(l.uri, options.baseDir) })), plan }
  const s3 = s3Client(options)
  const uploaded = new Map<string, string>()
  try {
    for (const l of wanted) {
      if (uploaded.has(l.uri)) continue
      const data = hashLocalData(localPath(l.uri, options.baseDir))
      const uri = await uploadLocalData(s3, data, dest, (p) => {
        options.onUpload?.(p)
        if (p.loaded === p.total) options.say?.(`uploaded ${p.uri} (${p.total} bytes)`)
      })
      options.say?.(`${l.path}: ${l.uri} -> ${uri}`)
      uploaded.set(l.uri, uri)
    }
  } catch (e) {
    const clear = clearly(e, endpointOverride('S3') ?? 'S3')
    const why = clear instanceof Error ? clear.message : String(clear)
    return { errors: [{ _tag: 'Rule', path: '--upload-local-data', expected: `an S3 location these credentials can write to (${why})`, actual: options.uploadLocalData }], plan }
  } finally {
    s3.destroy()
  }
  return { errors: [], plan: withUploadedData(uploaded)(plan) }
}

/** The module's data objects (RecordSets) put in S3 before anything runs; their problem, if any. */
const putUploads = async (options: TargetOptions): Promise<ReadonlyArray<SpecError>> => {
  const objects = options.uploads ?? []
  if (objects.length === 0) return []
  const s3 = s3Client(options)
  try {
    await putDataObjects(s3, objects, options.say)
    return []
  } catch (e) {
    const clear = clearly(e, endpointOverride('S3') ?? 'S3')
    const why = clear instanceof Error ? clear.message : String(clear)
    return [{ _tag: 'Rule', path: 'uploads', expected: `the program's data objects put in S3 before the steps that read them (${why})`, actual: objects.map((o) => o.uri).join(', ') }]
  } finally {
    s3.destroy()
  }
}

export const target: TargetModule = {
  prepare: async (plan, options) => {
    const errors = awsProblems(plan, options.uploadLocalData === undefined ? {} : { uploadLocalData: options.uploadLocalData })
    if (errors.length > 0) return { errors, plan }
    const data = await putUploads(options)
    if (data.length > 0 || options.uploadLocalData === undefined) return { errors: data, plan }
    return uploadAll(plan, options)
  },
  createBackend: (options) => createAwsBackend(options),
}
