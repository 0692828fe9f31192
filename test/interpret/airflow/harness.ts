/**
 * A real python3 (and Jinja2) reading the DAG files the exporter writes. One process per batch of DAGs.
 *
 * - `inspectDags`: `compile()` each file, `ast.literal_eval` every `<name>_config = {...}`, and read the
 *   DAG's arguments, the tasks (operator class, task_id, config variable, keyword arguments), the
 *   `a >> b` edges and the imports from the syntax tree, without importing Airflow.
 * - `renderDags`: render every string of every config with Jinja2 in the environment Airflow 2 builds for
 *   a DAG, as its `render_template` does (dict keys are not rendered), then — in `values` mode — do what
 *   the operator's `preprocess_config` does before calling boto3: pop `S3Operations` and cast its
 *   `integer_fields` (the lists below are the provider's, copied from its source, not from ours).
 *
 * Locally a missing interpreter skips with the reason; in CI (CI=true) it fails instead.
 */
import { spawnSync } from 'node:child_process'

export const IN_CI = process.env.CI === 'true'
const CANDIDATES = [process.env.SAGESPEC_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => p !== undefined && p !== '')
const ENV = { ...process.env, PYTHONUTF8: '1', PYTHONIOENCODING: 'utf-8' }
const runs = (exe: string, code: string): boolean => spawnSync(exe, ['-c', code], { env: ENV, stdio: 'ignore' }).status === 0

export const PYTHON = CANDIDATES.find((p) => runs(p, 'import sys; assert sys.version_info >= (3, 8)'))
export const JINJA_PYTHON = CANDIDATES.find((p) => runs(p, 'import jinja2, jinja2.sandbox, jinja2.ext'))
export const PY_REASON = `no python3 >= 3.8 found (tried ${CANDIDATES.join(', ')})`
export const JINJA_REASON = `no python3 with jinja2 found (tried ${CANDIDATES.join(', ')}); apt-get install -y python3-jinja2`
/** Skip (with the reason) only outside CI. */
export const PY_SKIP = PYTHON === undefined && !IN_CI
export const JINJA_SKIP = JINJA_PYTHON === undefined && !IN_CI
if (PY_SKIP) console.warn(`skipping python3 checks of Airflow DAGs: ${PY_REASON}`)
if (JINJA_SKIP) console.warn(`skipping Jinja2 checks of Airflow DAGs: ${JINJA_REASON}`)

const HARNESS = String.raw`
import ast, json, sys, types, uuid

def lit(node):
    return ast.literal_eval(node)

def dotted(f):
    return f.id if isinstance(f, ast.Name) else dotted(f.value) + '.' + f.attr

def call_value(node):
    # Param(...), pendulum.datetime(...), timedelta(...): the callee's dotted name and literal arguments.
    if isinstance(node, ast.Call):
        name = dotted(node.func)
        return {'call': name, 'args': [value(a) for a in node.args],
                'kwargs': {k.arg: value(k.value) for k in node.keywords}}
    return None

def value(node):
    c = call_value(node)
    if c is not None:
        return c
    if isinstance(node, ast.Dict):
        return {'dict': [[lit(k), value(v)] for k, v in zip(node.keys, node.values)]}
    if isinstance(node, ast.Name):
        return {'name': node.id}
    return {'literal': lit(node)}

def inspect(src):
    compile(src, 'dag.py', 'exec')
    tree = ast.parse(src)
    out = {'configs': {}, 'config_order': [], 'dag': None, 'tasks': [], 'edges': [], 'imports': []}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and (node.targets[0].id.endswith('_config') or node.targets[0].id == 'code_uploads'):
            out['configs'][node.targets[0].id] = lit(node.value)
            out['config_order'].append(node.targets[0].id)
        elif isinstance(node, ast.ImportFrom):
            out['imports'].append([node.module, [a.name for a in node.names]])
        elif isinstance(node, ast.Import):
            out['imports'].append([None, [a.name for a in node.names]])
        elif isinstance(node, ast.With):
            out['dag'] = call_value(node.items[0].context_expr)
            out['dag_var'] = node.items[0].optional_vars.id
            for stmt in node.body:
                if isinstance(stmt, ast.Assign):
                    c = stmt.value
                    out['tasks'].append({
                        'var': stmt.targets[0].id,
                        'class': c.func.id,
                        'kwargs': {k.arg: value(k.value) for k in c.keywords},
                    })
                elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.BinOp) \
                        and isinstance(stmt.value.op, ast.RShift):
                    out['edges'].append([stmt.value.left.id, stmt.value.right.id])
                elif not isinstance(stmt, ast.Pass):
                    raise ValueError('unexpected statement in the DAG body: ' + ast.dump(stmt))
    return out

# integer_fields of each operator, as the provider's _create_integer_fields sets them.
INTEGER_FIELDS = {
    'SageMakerTrainingOperator': [['ResourceConfig', 'InstanceCount'], ['ResourceConfig', 'VolumeSizeInGB'],
                                  ['StoppingCondition', 'MaxRuntimeInSeconds']],
    'SageMakerTuningOperator': [['HyperParameterTuningJobConfig', 'ResourceLimits', 'MaxNumberOfTrainingJobs'],
                                ['HyperParameterTuningJobConfig', 'ResourceLimits', 'MaxParallelTrainingJobs'],
                                ['TrainingJobDefinition', 'ResourceConfig', 'InstanceCount'],
                                ['TrainingJobDefinition', 'ResourceConfig', 'VolumeSizeInGB'],
                                ['TrainingJobDefinition', 'StoppingCondition', 'MaxRuntimeInSeconds']],
    'SageMakerModelOperator': [],
    'SageMakerEndpointOperator': [['EndpointConfig', 'ProductionVariants', 'InitialInstanceCount']],
    'SageMakerTransformOperator': [['TransformResources', 'InstanceCount'], ['MaxConcurrentTransforms'],
                                   ['MaxPayloadInMB']],
}

def config_name(t):
    # A provider operator takes config=<name>; a PythonOperator the DAG's helper calls takes it in
    # op_kwargs (its config, or the code uploads).
    k = t['kwargs']
    if 'config' in k:
        return k['config']['name']
    return next(v['name'] for key, v in k['op_kwargs']['dict'] if key in ('config', 'uploads'))

def parse_integer(config, field):
    # SageMakerBaseOperator.parse_integer: lists are walked through; int() on the last key.
    if isinstance(config, list):
        for c in config:
            parse_integer(c, field)
        return
    if field[0] not in config:
        return
    if len(field) == 1:
        config[field[0]] = int(config[field[0]])
    else:
        parse_integer(config[field[0]], field[1:])

class Marker:
    def __init__(self, text):
        self.text = text
    def __getitem__(self, key):
        return Marker(self.text + '.' + str(key))
    def __str__(self):
        return self.text + '>'

class TI:
    def __init__(self, xcom):
        self.xcom = xcom
    def xcom_pull(self, task_ids):
        if self.xcom is None:
            return Marker('<ref:' + task_ids)
        return self.xcom[task_ids]

def env():
    import jinja2, jinja2.sandbox
    # What Airflow 2's DAG.get_template_env builds when the DAG sets nothing.
    e = jinja2.sandbox.SandboxedEnvironment(
        extensions=['jinja2.ext.do'], undefined=jinja2.StrictUndefined, cache_size=0)
    # Test-only: marker objects stand in for XCom values and print as their marker text under tojson.
    e.policies['json.dumps_function'] = lambda obj, **kw: json.dumps(obj, default=str, **kw)
    return e

def render_value(e, v, ctx):
    # BaseOperator.render_template: strings are templates, containers are walked, dict keys are not.
    if isinstance(v, str):
        return e.from_string(v).render(**ctx)
    if isinstance(v, list):
        return [render_value(e, x, ctx) for x in v]
    if isinstance(v, dict):
        return {k: render_value(e, x, ctx) for k, x in v.items()}
    return v

def render(src, context):
    info = inspect(src)
    e = env()
    markers = context['mode'] == 'markers'
    ctx = {
        'ti': TI(None if markers else context['xcom']),
        'params': context['params'],
        'ts_nodash': context['ts_nodash'],
        'ds_nodash': context['ds_nodash'],
        'run_id': context['run_id'],
        'dag': types.SimpleNamespace(dag_id=context['dag_id']),
        'macros': types.SimpleNamespace(uuid=uuid),
    }
    classes = {config_name(t): t['class'] for t in info['tasks']}
    out = {}
    for name, config in info['configs'].items():
        rendered = render_value(e, config, ctx)
        s3 = None
        if not markers and isinstance(rendered, dict):
            s3 = rendered.pop('S3Operations', None)
            for field in INTEGER_FIELDS.get(classes[name], []):
                parse_integer(rendered, field)
        out[name] = {'config': rendered, 's3': s3, 'class': classes[name]}
    return out

req = json.loads(sys.stdin.read())
results = []
for item in req['dags']:
    try:
        if req['mode'] == 'inspect':
            results.append({'ok': inspect(item['source'])})
        else:
            results.append({'ok': render(item['source'], item['context'])})
    except Exception as ex:
        results.append({'error': type(ex).__name__ + ': ' + str(ex)})
sys.stdout.write(json.dumps(results, ensure_ascii=True))
`

const run = (exe: string | undefined, request: unknown): ReadonlyArray<{ ok?: unknown; error?: string }> => {
  if (exe === undefined) throw new Error(`python unavailable: ${PY_REASON}`)
  const r = spawnSync(exe, ['-c', HARNESS], { input: JSON.stringify(request), env: ENV, maxBuffer: 1 << 30, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`python harness failed (${r.status}): ${r.stderr}`)
  return JSON.parse(r.stdout) as ReadonlyArray<{ ok?: unknown; error?: string }>
}

// -------------------------------------------------------------------------------------
// what comes back
// -------------------------------------------------------------------------------------

/** A Python argument as read from the syntax tree. */
export type PyValue =
  | { readonly literal: unknown }
  | { readonly name: string }
  | { readonly dict: ReadonlyArray<readonly [unknown, PyValue]> }
  | { readonly call: string; readonly args: ReadonlyArray<PyValue>; readonly kwargs: Readonly<Record<string, PyValue>> }

export interface Inspected {
  readonly configs: Readonly<Record<string, Record<string, unknown>>>
  readonly config_order: ReadonlyArray<string>
  readonly dag: { readonly call: string; readonly args: ReadonlyArray<PyValue>; readonly kwargs: Readonly<Record<string, PyValue>> }
  readonly dag_var: string
  readonly tasks: ReadonlyArray<{ readonly var: string; readonly class: string; readonly kwargs: Readonly<Record<string, PyValue>> }>
  readonly edges: ReadonlyArray<readonly [string, string]>
  readonly imports: ReadonlyArray<readonly [string | null, ReadonlyArray<string>]>
}

export interface RenderContext {
  readonly mode: 'markers' | 'values'
  /** Per task id, what its operator returned (values mode). */
  readonly xcom?: Readonly<Record<string, unknown>>
  readonly params: Readonly<Record<string, unknown>>
  readonly ts_nodash: string
  readonly ds_nodash: string
  readonly run_id: string
  readonly dag_id: string
}

export type Rendered = Readonly<Record<string, { readonly config: Record<string, unknown>; readonly s3: unknown; readonly class: string }>>

const unwrap = <A>(results: ReadonlyArray<{ ok?: unknown; error?: string }>): A[] =>
  results.map((r, i) => {
    if (r.error !== undefined) throw new Error(`DAG #${i}: ${r.error}`)
    return r.ok as A
  })

export const inspectDags = (sources: ReadonlyArray<string>): Inspected[] =>
  unwrap<Inspected>(run(PYTHON, { mode: 'inspect', dags: sources.map((source) => ({ source })) }))

/** Like `inspectDags`, but a file Python refuses is reported, not thrown. */
export const tryInspectDags = (sources: ReadonlyArray<string>): ReadonlyArray<{ ok?: unknown; error?: string }> =>
  run(PYTHON, { mode: 'inspect', dags: sources.map((source) => ({ source })) })

export const renderDags = (items: ReadonlyArray<{ readonly source: string; readonly context: RenderContext }>): Rendered[] =>
  unwrap<Rendered>(run(JINJA_PYTHON, { mode: 'render', dags: items }))

/** The literal of a `{'literal': x}` argument, or a failure naming what was there instead. */
export const literalOf = (v: PyValue | undefined): unknown => {
  if (v === undefined || !('literal' in v)) throw new Error(`expected a literal, got ${JSON.stringify(v)}`)
  return v.literal
}
