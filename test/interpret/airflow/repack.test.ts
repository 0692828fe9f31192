/**
 * The Airflow export of a program whose model is repacked (examples/pytorch-script-mode.ts): a
 * repack task between the training and the model (golden, and edges read back by Python), and the
 * task's own Python run against a stand-in S3 — it names the archive exactly as the TS runners do,
 * puts code/inference.py in it, and uploads nothing the second time.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import example from '../../../examples/pytorch-script-mode.js'
import { codeKey, packCode } from '../../../src/interpret/code/pack.js'
import { repackLocation, repackName } from '../../../src/interpret/code/repack.js'
import { toAirflowDag, codeOf } from '../../../src/interpret/airflow/dag.js'
import type { CodeUpload } from '../../../src/interpret/airflow/check.js'
import { toPlan } from '../../../src/interpret/plan/plan.js'
import { packFolder } from '../../../src/local/archive.js'
import type { Code } from '../../../src/spec/val.js'
import { valid } from '../../support/fixtures.js'
import { PYTHON, PY_REASON, PY_SKIP, inspectDags } from './harness.js'

const plan = toPlan(valid(example))
const sha = (c: Code, layout: 'sourcedir' | 'model-code') => {
  const p = packCode(c, { layout })
  if (E.isLeft(p)) throw new Error('the example does not pack')
  return p.right.sha256
}
const code = new Map<string, CodeUpload>(codeOf(plan).map((c) => [codeKey(c), { _tag: 'TarAtRunTime', sha256: sha(c, 'sourcedir'), path: '/opt/airflow/dags/examples/pytorch', servingSha256: sha(c, 'model-code') }]))
const dag = toAirflowDag(plan, { dagId: 'digits', schedule: null, startDate: '2026-01-01', source: 'examples/pytorch-script-mode.ts', code })
const repack = plan.assets.find((a) => a._tag === 'Repack')
const servingCode = repack?._tag === 'Repack' ? repack.repack.code : undefined

const dir = mkdtempSync(join(tmpdir(), 'sagespec-airflow-repack-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('airflow: repacked models', () => {
  it('writes the PyTorch example with a repack task as its golden DAG file', async () => {
    await expect(dag).toMatchFileSnapshot('./__golden__/pytorch-script-mode.py')
  })

  it('the model reads the URI the repack task returns', () => {
    expect(dag).toContain(`'ModelDataUrl': "{{ ti.xcom_pull(task_ids='repack_digits-model') }}",`)
  })

  it.skipIf(PY_SKIP)(`puts the repack task after the code upload and the training, before the model (read by Python)${PY_SKIP ? ` (skipped: ${PY_REASON})` : ''}`, () => {
    const [inspected] = inspectDags([dag])
    const task = inspected!.tasks.find((t) => t.var === 'repack_digits_model_task')
    expect(task?.class).toBe('PythonOperator')
    const into = (v: string) => inspected!.edges.filter(([, b]) => b === v).map(([a]) => a)
    expect(into('repack_digits_model_task')).toEqual(['upload_code_task', 'digits'])
    expect(into('digits_model')).toContain('repack_digits_model_task')
  })

  it.skipIf(PY_SKIP)(`its Python names the archive as the runners do, adds code/, and uploads nothing the second time${PY_SKIP ? ` (skipped: ${PY_REASON})` : ''}`, async () => {
    if (servingCode === undefined) throw new Error('the example plans no repack')
    // A stand-in S3 under `dir/s3/<bucket>/<key>`, with the code archive and a trained model in it.
    const s3 = join(dir, 's3')
    const put = (bucket: string, key: string, bytes: Uint8Array) => {
      mkdirSync(join(s3, bucket, key, '..'), { recursive: true })
      writeFileSync(join(s3, bucket, key), bytes)
    }
    const upload = code.get(codeKey(codeOf(plan)[0]!))!
    const codeKeyInS3 = `code/${upload.sha256}/sourcedir.tar.gz`
    await packFolder('examples/pytorch', join(dir, 'sourcedir.tar.gz'))
    put('example-bucket', codeKeyInS3, readFileSync(join(dir, 'sourcedir.tar.gz')))
    mkdirSync(join(dir, 'model'), { recursive: true })
    writeFileSync(join(dir, 'model', 'model.pth'), 'weights')
    await packFolder(join(dir, 'model'), join(dir, 'model.tar.gz'))
    const original = readFileSync(join(dir, 'model.tar.gz'))
    put('example-bucket', 'digits/models/digits-1/output/model.tar.gz', original)

    const helpers = dag.slice(dag.indexOf('def _safe_extract'), dag.indexOf('def repack_model'))
    const fn = dag.slice(dag.indexOf('def repack_model'), dag.indexOf('\ndigits_config'))
    const script = `
import hashlib, json, os, shutil, sys, tarfile, tempfile
ROOT = ${JSON.stringify(s3)}
UPLOADS = []
class _Key:
    def __init__(self, path): self.path = path
    def download_file(self, f): shutil.copy(self.path, f)
class S3Hook:
    def __init__(self, aws_conn_id=None, region_name=None): pass
    @staticmethod
    def parse_s3_url(u):
        b, _, k = u[len("s3://"):].partition("/")
        return b, k
    def get_key(self, key, bucket_name): return _Key(os.path.join(ROOT, bucket_name, key))
    def check_for_key(self, key, bucket_name): return os.path.exists(os.path.join(ROOT, bucket_name, key))
    def load_file(self, f, key, bucket_name, replace):
        os.makedirs(os.path.dirname(os.path.join(ROOT, bucket_name, key)), exist_ok=True)
        shutil.copy(f, os.path.join(ROOT, bucket_name, key))
        UPLOADS.append(key)
${helpers}
${fn}
kwargs = dict(model="s3://example-bucket/digits/models/digits-1/output/model.tar.gz", code_bucket="example-bucket",
              code_key=${JSON.stringify(codeKeyInS3)}, code_sha256=${JSON.stringify(upload.servingSha256)}, dependencies=[],
              replace_code=True, bucket="example-bucket", prefix="code")
first = repack_model(**kwargs)
second = repack_model(**kwargs)
print(json.dumps({"first": first, "second": second, "uploads": UPLOADS}))
`
    const r = spawnSync(PYTHON!, ['-c', script], { encoding: 'utf8' })
    expect(r.stderr).toBe('')
    const out = JSON.parse(r.stdout) as { first: string; second: string; uploads: string[] }
    // The key the TS runners compute for the same two inputs.
    const name = repackName(createHash('sha256').update(original).digest('hex'), upload.servingSha256!)
    const expected = repackLocation(servingCode, name)
    expect(out.first).toBe(expected.uri)
    expect(out.second).toBe(expected.uri)
    expect(out.uploads).toEqual([expected.key])
    const listed = spawnSync('tar', ['-tzf', join(s3, 'example-bucket', expected.key)], { encoding: 'utf8' }).stdout.split('\n')
    expect(listed).toEqual(expect.arrayContaining(['model.pth', 'code/inference.py', 'code/train.py']))
  })
})
