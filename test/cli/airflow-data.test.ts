/**
 * A RecordSet program's DAG uploads its shards and manifest itself: one upload task upstream of the
 * training, the objects in order (shards, then the manifest), each skipped when its key exists — run
 * here with the DAG's own Python against a stand-in S3.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { uploads } from '../../examples/kmeans-recordset.js'
import { PYTHON, PY_REASON, PY_SKIP, inspectDags } from '../interpret/airflow/harness.js'

const dir = mkdtempSync(join(tmpdir(), 'sagespec-airflow-data-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const airflow = async (...args: string[]) => {
  const out: string[] = []
  const err: string[] = []
  const code = await main(['airflow', 'examples/kmeans-recordset.ts', ...args], { out: (s) => void out.push(s), err: (s) => void err.push(s) })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

describe('sagespec airflow: RecordSet uploads', () => {
  it('puts the shards, then the manifest, in the upload list, inline, with the keys the RecordSet names', async () => {
    const r = await airflow()
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expect(uploads.map((u) => u.key.split('/').pop())).toEqual(['matrix_0.pbr', 'matrix_1.pbr', '.amazon.manifest'])
    for (const u of uploads) expect(r.out).toContain(`'Data': '${Buffer.from(u.bytes).toString('base64')}',\n        'Bucket': 'example-bucket',\n        'Key': '${u.key}',`)
    const at = uploads.map((u) => r.out.indexOf(`'Key': '${u.key}'`))
    expect([...at].sort((a, b) => a - b)).toEqual(at)
  })

  it.skipIf(PY_SKIP)(`runs the upload task before the training (read by Python)${PY_SKIP ? ` (skipped: ${PY_REASON})` : ''}`, async () => {
    const [inspected] = inspectDags([(await airflow()).out])
    expect(inspected!.edges).toContainEqual(['upload_code_task', 'clusters'])
    expect(inspected!.configs['code_uploads']).toEqual(uploads.map((u) => ({ Data: Buffer.from(u.bytes).toString('base64'), Bucket: u.bucket, Key: u.key, Tar: false })))
  })

  it.skipIf(PY_SKIP)(`the task uploads every object once; a retry or a re-run uploads nothing${PY_SKIP ? ` (skipped: ${PY_REASON})` : ''}`, async () => {
    const dag = (await airflow()).out
    const helper = dag.slice(dag.indexOf('def upload_code'), dag.indexOf('\ncode_uploads = '))
    const config = dag.slice(dag.indexOf('code_uploads = '), dag.indexOf('\nclusters_config = '))
    const s3 = join(dir, 's3')
    const script = `
import base64, json, os
ROOT = ${JSON.stringify(s3)}
PUT = []
class S3Hook:
    def __init__(self, aws_conn_id=None, region_name=None): pass
    def check_for_key(self, key, bucket_name): return os.path.exists(os.path.join(ROOT, bucket_name, key))
    def load_bytes(self, data, key, bucket_name, replace):
        path = os.path.join(ROOT, bucket_name, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "wb").write(data)
        PUT.append(key)
class SageMakerHook:
    def __init__(self, **kw): raise AssertionError("no tar for data")
${helper}
${config}
upload_code(code_uploads)
first = list(PUT)
upload_code(code_uploads)
print(json.dumps({"first": first, "second": PUT[len(first):]}))
`
    const r = spawnSync(PYTHON!, ['-c', script], { encoding: 'utf8' })
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual({ first: uploads.map((u) => u.key), second: [] })
    for (const u of uploads) expect(new Uint8Array(readFileSync(join(s3, u.bucket, u.key)))).toEqual(u.bytes)
  })

  it('with --code-archive-dir, writes the objects beside the DAG and uploads those files', async () => {
    const archives = join(dir, 'archives')
    const r = await airflow('--code-archive-dir', archives)
    expect(r.code).toBe(0)
    for (const u of uploads) {
      const file = join(archives, 'data', u.bucket, ...u.key.split('/'))
      expect(new Uint8Array(readFileSync(file))).toEqual(u.bytes)
      expect(r.out).toContain(`'Path': '${file}',`)
    }
    expect(r.out).not.toContain("'Data':")
  })
})
