import { spawnSync } from 'node:child_process'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  jinjaExpr,
  jinjaLiteral,
  jinjaString,
  printPy,
  py,
  pyFloat,
  pyInt,
  pyStr,
  template,
} from '../../../src/interpret/airflow/python.js'
import type { PyExpr } from '../../../src/interpret/airflow/python.js'

// ---------------------------------------------------------------------------------------------------
// A real Python (and Jinja2) as the oracle. Locally a missing interpreter skips with the reason; in CI
// (CI=true) it fails instead, so a green CI always means these checks ran.
// ---------------------------------------------------------------------------------------------------

const IN_CI = process.env.CI === 'true'
const CANDIDATES = [process.env.SAGESPEC_PYTHON, 'python3', '/usr/bin/python3'].filter(
  (p): p is string => p !== undefined && p !== '',
)
const ENV = { ...process.env, PYTHONUTF8: '1', PYTHONIOENCODING: 'utf-8' }
const runs = (exe: string, code: string): boolean =>
  spawnSync(exe, ['-c', code], { env: ENV, stdio: 'ignore' }).status === 0
const PYTHON = CANDIDATES.find((p) => runs(p, 'import sys; assert sys.version_info >= (3, 8)'))
const JINJA_PYTHON = CANDIDATES.find((p) => runs(p, 'import jinja2, jinja2.sandbox'))
const PY_SKIP = PYTHON === undefined && !IN_CI
const JINJA_SKIP = JINJA_PYTHON === undefined && !IN_CI
const PY_REASON = `no python3 >= 3.8 found (tried ${CANDIDATES.join(', ')})`
const JINJA_REASON = `no python3 with jinja2 found (tried ${CANDIDATES.join(', ')}); apt-get install -y python3-jinja2`
if (PY_SKIP) console.warn(`skipping python3 checks: ${PY_REASON}`)
if (JINJA_SKIP) console.warn(`skipping Jinja2 checks: ${JINJA_REASON}`)

/**
 * Everything comes back tagged, strings as code-point lists: JSON cannot tell a Python str holding the
 * two lone surrogates U+D83D U+DE00 from one holding U+1F600, so comparing JSON text would be inexact.
 * (JS -> Python via JSON is exact: JS never holds an unpaired high+low pair, and Python's json decoder
 * keeps lone `\udXXX` escapes as surrogate code points.)
 */
const HARNESS = String.raw`
import ast, json, struct, sys

def cps(s):
    return [ord(c) for c in s]

def tag(v):
    if isinstance(v, bool): return {'b': v}
    if isinstance(v, int): return {'i': str(v)}
    if isinstance(v, float): return {'f': struct.pack('>d', v).hex(), 'r': repr(v)}
    if isinstance(v, str): return {'s': cps(v)}
    if v is None: return {'n': None}
    if isinstance(v, list): return {'l': [tag(x) for x in v]}
    if isinstance(v, dict): return {'d': [[tag(k), tag(x)] for k, x in v.items()]}
    raise TypeError(type(v).__name__)

def literal(src):
    ast.parse(src, mode='eval')  # one expression, nothing else
    return tag(ast.literal_eval(src))

def module(src):
    ast.parse(src, mode='exec')
    return None

ENVS = None
def envs():
    global ENVS
    if ENVS is None:
        import jinja2, jinja2.sandbox
        ENVS = [
            ('default', jinja2.Environment()),
            ('keep_trailing_newline', jinja2.Environment(keep_trailing_newline=True)),
            # What Airflow 2's DAG.get_template_env builds when the DAG sets nothing.
            ('airflow', jinja2.sandbox.SandboxedEnvironment(
                extensions=['jinja2.ext.do'], undefined=jinja2.StrictUndefined, cache_size=0)),
            ('trim_lstrip', jinja2.Environment(trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)),
            # Escaped text only ever renders autoescape-neutral characters ({ % # CR LF).
            ('autoescape', jinja2.Environment(autoescape=True)),
        ]
    return ENVS

class TI:
    def __init__(self, xcom): self.xcom = xcom
    def xcom_pull(self, task_ids): return self.xcom[task_ids]

def jinja(case):
    tpl = ast.literal_eval(case['src'])  # the template exactly as a DAG file would hold it
    ctx = {'ti': TI(case['xcom'])} if 'xcom' in case else {}
    return {name: cps(env.from_string(tpl).render(**ctx))
            for name, env in envs() if case['autoescape'] or name != 'autoescape'}

def guard(f, x):
    try:
        return {'ok': f(x)}
    except Exception as e:
        return {'err': type(e).__name__ + ': ' + str(e)}

req = json.load(sys.stdin)
fn = {'literal': literal, 'module': module, 'jinja': jinja}[req['op']]
json.dump([guard(fn, c) for c in req['cases']], sys.stdout)
`

type Outcome = { readonly ok: unknown } | { readonly err: string }

/** ASCII-only JSON, so the pipe's encoding cannot matter. */
const asciiJson = (v: unknown): string =>
  JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)

const callPython = (exe: string | undefined, op: string, cases: ReadonlyArray<unknown>): Outcome[] => {
  if (exe === undefined) throw new Error(`CI=true requires it: ${op === 'jinja' ? JINJA_REASON : PY_REASON}`)
  const r = spawnSync(exe, ['-c', HARNESS], {
    input: asciiJson({ op, cases }),
    env: ENV,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  })
  if (r.status !== 0) throw new Error(`${exe} failed (${r.status}): ${r.stderr}`)
  return JSON.parse(r.stdout) as Outcome[]
}

const codePoints = (s: string): number[] => Array.from(s, (c) => c.codePointAt(0) as number)

const floatBits = (v: number): string => {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, v)
  return Array.from(new Uint8Array(view.buffer), (b) => b.toString(16).padStart(2, '0')).join('')
}

/** The tagged value Python must report for `e` (the same shape as `tag` in the harness). */
const expected = (e: PyExpr): unknown => {
  switch (e._tag) {
    case 'Str':
      return { s: codePoints(e.value) }
    case 'Int':
      return { i: BigInt(e.value).toString() }
    case 'Float':
      return { f: floatBits(e.value), r: pyFloat(e.value) }
    case 'Bool':
      return { b: e.value }
    case 'None':
      return { n: null }
    case 'List':
      return { l: e.items.map(expected) }
    case 'Dict':
      return { d: e.entries.map(([k, v]) => [expected(k), expected(v)]) }
    case 'Raw':
      throw new Error('Raw has no value')
  }
}

const show = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x))

/**
 * fast-check with one Python process per batch: sample `numRuns` values, judge them all at once, and
 * only if some fail replay the same seed through `fc.assert` (one process per value) to shrink.
 * `judge` returns, per value, undefined when it holds or a description of what went wrong.
 */
const checkBatched = <T>(
  arb: fc.Arbitrary<T>,
  numRuns: number,
  judge: (xs: ReadonlyArray<T>) => ReadonlyArray<string | undefined>,
): void => {
  const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31)
  const xs = fc.sample(arb, { numRuns, seed })
  const verdicts = judge(xs)
  const firstBad = verdicts.findIndex((v) => v !== undefined)
  if (firstBad === -1) return
  fc.assert(
    fc.property(arb, (x) => {
      const v = judge([x])[0]
      if (v !== undefined) throw new Error(v)
    }),
    // Shrinking spawns one process per try: bound it, the batch failure below is reported regardless.
    { seed, numRuns, interruptAfterTimeLimit: 20_000 },
  )
  throw new Error(`seed ${seed}: ${show(xs[firstBad])}: ${verdicts[firstBad]}`)
}

// ---------------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------------

/** Units that stress quoting, escaping, surrogates and Jinja's lexer. */
const NASTY = [
  "'", '"', '\\', '\n', '\r', '\r\n', '\t', '\0', '\x7f', '\x85', '\xa0', '\u2028', '\u2029', '\u202e',
  '\u200d', '\ufeff', '\ud800', '\udbff', '\udc00', '\ud83d', '\ude00', '😀', '日', 'e\u0301', ' ', 'a',
  "'''", '"""', '{', '}', '%', '#', '-', '+', '{{', '}}', '{%', '%}', '{#', '#}', '{{-', '-}}', '{%-',
  '-%}', '{% raw %}', '{% endraw %}', '{%- endraw -%}', '{%endraw%}', '{{ x }}', '\\x41', '\\u0041',
  '\\N{DASH}', '${x}', '\u{e0001}', '\u{10ffff}', '\uffff', '\ufffe',
]
const nastyString = fc.string({ unit: fc.constantFrom(...NASTY), maxLength: 30 })
const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  nastyString,
)

const keyOf = (k: PyExpr): string => (k._tag === 'Int' ? `i${BigInt(k.value)}` : `${k._tag}${show(k)}`)

const pyExprArb = (str: fc.Arbitrary<string>, maxDepth: number): fc.Arbitrary<PyExpr> => {
  const strE = str.map(py.str)
  const intE = fc.oneof(fc.integer().map(py.int), fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(py.int))
  const leaf = fc.oneof(
    strE,
    intE,
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(py.float),
    fc.boolean().map(py.bool),
    fc.constant(py.none),
  )
  return fc.letrec<{ e: PyExpr }>((tie) => ({
    e: fc.oneof(
      { maxDepth, depthIdentifier: 'py' },
      leaf,
      fc.array(tie('e'), { maxLength: 5 }).map(py.list),
      fc
        .uniqueArray(fc.tuple(fc.oneof(strE, intE), tie('e')), { maxLength: 5, selector: ([k]) => keyOf(k) })
        .map(py.dict),
    ),
  })).e
}

// ---------------------------------------------------------------------------------------------------
// pyStr
// ---------------------------------------------------------------------------------------------------

const STR_CASES: ReadonlyArray<readonly [string, string]> = [
  ['', "''"],
  ['plain', "'plain'"],
  ["it's", `"it's"`],
  ['say "hi"', `'say "hi"'`],
  [`both ' and "`, `'both \\' and "'`],
  ["'''", `"'''"`],
  ['"""', `'"""'`],
  [`'''"""`, `'\\'\\'\\'"""'`],
  ['a\\b', "'a\\\\b'"],
  ['\\', "'\\\\'"],
  ['\\n is not a newline', "'\\\\n is not a newline'"],
  ['line1\nline2\r\n\ttab', "'line1\\nline2\\r\\n\\ttab'"],
  ['\0', "'\\x00'"],
  ['\x1b[31m', "'\\x1b[31m'"],
  ['\x7f', "'\\x7f'"],
  ['\x85\xa0\xad', "'\\x85\\xa0\\xad'"],
  ['café', "'café'"],
  ['日本語', "'日本語'"],
  ['😀', "'😀'"],
  ['e\u0301', "'e\u0301'"],
  ['\u2028\u2029', "'\\u2028\\u2029'"],
  ['abc\u202edef', "'abc\\u202edef'"],
  ['👨\u200d👩', "'👨\\u200d👩'"],
  ['\ufeff', "'\\ufeff'"],
  ['\u3000', "'\\u3000'"],
  ['\ud800', "'\\ud800'"],
  ['x\udc00y', "'x\\udc00y'"],
  ['\udc00\ud800', "'\\udc00\\ud800'"],
  ['\u{e0001}', "'\\U000e0001'"],
  ['\u{10ffff}', "'\\U0010ffff'"],
]

describe('pyStr', () => {
  it.each(STR_CASES)('pyStr(%j) is %s', (input, source) => {
    expect(pyStr(input)).toBe(source)
  })

  it('never emits a newline, a lone surrogate or triple quotes', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const src = pyStr(s)
        expect(src).not.toMatch(/[\n\r\u2028\u2029]|\p{Cs}/u)
        expect(src).not.toMatch(/^('''|""")/)
      }),
      { numRuns: 1000 },
    )
  })
})

describe.skipIf(PY_SKIP)(`pyStr against python3${PY_SKIP ? ` (skipped: ${PY_REASON})` : ''}`, () => {
  const judgeStrings = (xs: ReadonlyArray<string>): Array<string | undefined> => {
    const out = callPython(
      PYTHON,
      'literal',
      xs.map((s) => pyStr(s)),
    )
    return xs.map((s, i) => {
      const o = out[i]
      const want = { s: codePoints(s) }
      if (o === undefined || 'err' in o) return `python: ${o === undefined ? 'no answer' : o.err}`
      return show(o.ok) === show(want) ? undefined : `got ${show(o.ok)} from ${pyStr(s)}`
    })
  }

  it('unit cases evaluate to their input', () => {
    expect(judgeStrings(STR_CASES.map(([s]) => s))).toEqual(STR_CASES.map(() => undefined))
  })

  it('ast.literal_eval(pyStr(s)) == s for binary, grapheme and adversarial strings', () => {
    checkBatched(fc.string({ unit: 'binary' }), 500, judgeStrings)
    checkBatched(fc.string({ unit: 'grapheme' }), 500, judgeStrings)
    checkBatched(nastyString, 500, judgeStrings)
  })
})

// ---------------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------------

describe('pyFloat / pyInt', () => {
  it.each([
    [1, '1.0'],
    [0, '0.0'],
    [-0, '-0.0'],
    [0.1, '0.1'],
    [-2.5, '-2.5'],
    [1 / 3, '0.3333333333333333'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [1e15, '1000000000000000.0'],
    [1e16, '1e+16'],
    [123456789.125, '123456789.125'],
    [2 ** 53, '9007199254740992.0'],
    [1.2345678901234568e20, '1.2345678901234568e+20'],
    [1.5e300, '1.5e+300'],
    [Number.MAX_VALUE, '1.7976931348623157e+308'],
    [5e-324, '5e-324'],
  ])('pyFloat(%s) is %s', (v, s) => {
    expect(pyFloat(v)).toBe(s)
  })

  it('rejects NaN and infinities (no Python literal)', () => {
    for (const v of [Number.NaN, Infinity, -Infinity]) expect(() => pyFloat(v)).toThrow(RangeError)
    expect(() => printPy(py.list([py.float(Number.NaN)]))).toThrow(RangeError)
  })

  it('prints ints exactly and rejects non-integers', () => {
    expect(pyInt(0)).toBe('0')
    expect(pyInt(-0)).toBe('0')
    expect(pyInt(-42)).toBe('-42')
    expect(pyInt(2 ** 60)).toBe('1152921504606846976')
    expect(pyInt(12345678901234567890123n)).toBe('12345678901234567890123')
    expect(pyInt(-(10n ** 5000n))).toMatch(/^-0x[0-9a-f]+$/)
    expect(() => pyInt(1.5)).toThrow(RangeError)
    expect(() => pyInt(Number.NaN)).toThrow(RangeError)
  })
})

// ---------------------------------------------------------------------------------------------------
// printPy
// ---------------------------------------------------------------------------------------------------

const s = py.str
const d = (...entries: Array<readonly [string, PyExpr]>): PyExpr => py.dict(entries.map(([k, v]) => [s(k), v]))

describe('printPy', () => {
  it('prints scalars', () => {
    expect(printPy(s('x'))).toBe("'x'")
    expect(printPy(py.int(3))).toBe('3')
    expect(printPy(py.float(3))).toBe('3.0')
    expect(printPy(py.bool(true))).toBe('True')
    expect(printPy(py.bool(false))).toBe('False')
    expect(printPy(py.none)).toBe('None')
    expect(printPy(py.raw('dag'))).toBe('dag')
  })

  it('keeps short collections on one line, in the given key order', () => {
    expect(printPy(py.list([]))).toBe('[]')
    expect(printPy(py.dict([]))).toBe('{}')
    expect(printPy(d(['b', py.int(1)], ['a', py.list([py.none, py.float(0.5)])]))).toBe("{'b': 1, 'a': [None, 0.5]}")
  })

  it('explodes what does not fit, one item per line with trailing commas', () => {
    const config = d(
      ['TrainingJobName', s('train-{{ ds_nodash }}')],
      [
        'AlgorithmSpecification',
        d(['TrainingImage', s('123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1.7-1')], ['TrainingInputMode', s('File')]),
      ],
      ['HyperParameters', d(['max_depth', s('5')], ['eta', s('0.2')])],
      ['ResourceConfig', d(['InstanceCount', py.int(1)], ['InstanceType', s('ml.m5.xlarge')], ['VolumeSizeInGB', py.int(30)])],
      ['Tags', py.list([])],
      ['Retry', py.raw('retry_policy')],
    )
    expect(printPy(config, { column: 'config = '.length })).toBe(
      [
        '{',
        "    'TrainingJobName': 'train-{{ ds_nodash }}',",
        "    'AlgorithmSpecification': {",
        "        'TrainingImage': '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1.7-1',",
        "        'TrainingInputMode': 'File',",
        '    },',
        "    'HyperParameters': {'max_depth': '5', 'eta': '0.2'},",
        "    'ResourceConfig': {'InstanceCount': 1, 'InstanceType': 'ml.m5.xlarge', 'VolumeSizeInGB': 30},",
        "    'Tags': [],",
        "    'Retry': retry_policy,",
        '}',
      ].join('\n'),
    )
  })

  it('breaks exactly at the width, counting column, tail and indentation', () => {
    const fits = py.list([s('a'.repeat(96))]) // [' + 96 + '] = 100
    expect(printPy(fits)).toBe(`['${'a'.repeat(96)}']`)
    expect(printPy(fits, { tail: 1 })).toBe(`[\n    '${'a'.repeat(96)}',\n]`)
    expect(printPy(fits, { column: 1 })).toBe(`[\n    '${'a'.repeat(96)}',\n]`)
    expect(printPy(py.list([s('a'.repeat(20))]), { width: 30, indent: 2, baseIndent: 8, column: 14 })).toBe(
      `[\n          '${'a'.repeat(20)}',\n        ]`,
    )
    // Width counts code points, so an astral character is one column.
    expect(printPy(py.list([s('😀'.repeat(96))]))).toBe(`['${'😀'.repeat(96)}']`)
  })

  it('rejects keys Python would reject or silently merge', () => {
    expect(() => printPy(py.dict([[py.list([]), py.none]]))).toThrow(/unhashable/)
    expect(() => printPy(d(['a', py.none], ['a', py.int(1)]))).toThrow(/duplicate/)
    expect(() => printPy(py.dict([[py.int(1), py.none], [py.bool(true), py.none]]))).toThrow(/duplicate/)
    expect(() => printPy(py.dict([[py.float(0), py.none], [py.int(0n), py.none]]))).toThrow(/duplicate/)
    expect(() => printPy(py.dict([[py.raw('k'), py.none], [py.raw('k'), py.none]]))).not.toThrow()
  })

  it('fits every line in the width when no single item is too long', () => {
    const short = fc.string({ unit: 'grapheme-ascii', maxLength: 8 })
    fc.assert(
      fc.property(pyExprArb(short, 4), (e) => {
        for (const line of printPy(e).split('\n')) expect(line.length).toBeLessThanOrEqual(100)
      }),
      { numRuns: 300 },
    )
  })
})

describe.skipIf(PY_SKIP)(`printPy against python3${PY_SKIP ? ` (skipped: ${PY_REASON})` : ''}`, () => {
  const judgeExprs = (xs: ReadonlyArray<PyExpr>): Array<string | undefined> => {
    const sources = xs.map((e) => printPy(e, { width: 60 }))
    const out = callPython(PYTHON, 'literal', sources)
    return xs.map((e, i) => {
      const o = out[i]
      if (o === undefined || 'err' in o) return `python: ${o === undefined ? 'no answer' : o.err}\n${sources[i]}`
      const want = show(expected(e))
      return show(o.ok) === want ? undefined : `got ${show(o.ok)}\nwant ${want}\n${sources[i]}`
    })
  }

  it('floats print as repr(float) and round-trip bit for bit', () => {
    const floats = fc.sample(fc.double({ noNaN: true, noDefaultInfinity: true }), 2000).map(py.float)
    expect(judgeExprs(floats).filter((v) => v !== undefined)).toEqual([])
  })

  it('arbitrary nested values parse and literal_eval to the JS value', () => {
    checkBatched(pyExprArb(anyString, 5), 500, judgeExprs)
  })

  it('indented output is valid inside a module', () => {
    const e = d(['a', py.list(Array.from({ length: 30 }, (_, i) => py.int(i)))], ['b', d(['c', s('x'.repeat(90))])])
    const src = `def make():\n    config = ${printPy(e, { baseIndent: 4, column: 13 })}\n    return config\n`
    expect(callPython(PYTHON, 'module', [src])).toEqual([{ ok: null }])
  })
})

// ---------------------------------------------------------------------------------------------------
// Jinja
// ---------------------------------------------------------------------------------------------------

describe('jinjaLiteral / jinjaExpr / template', () => {
  it('leaves text without openers untouched', () => {
    for (const t of ['', 'plain', 's3://bucket/key', 'a }} b %} c #}', '{ "json": [1, 2] }', 'x\ny', 'ends with {', '100%']) {
      expect(jinjaLiteral(t)).toBe(t)
    }
  })

  it('escapes openers, carriage returns and a trailing newline', () => {
    expect(jinjaLiteral('Hello {{ name }}')).toBe("Hello {{ '{{' }} name }}")
    expect(jinjaLiteral('{% endraw %}')).toBe("{{ '{%' }} endraw %}")
    expect(jinjaLiteral('{# c #}')).toBe("{{ '{#' }} c #}")
    expect(jinjaLiteral('{{{')).toBe("{{ '{{{' }}")
    expect(jinjaLiteral('a\r\nb')).toBe("a{{ '\\r' }}\nb")
    expect(jinjaLiteral('line\n')).toBe("line{{ '\\n' }}")
    expect(jinjaLiteral('\n\n')).toBe("\n{{ '\\n' }}")
  })

  it('builds the XCom reference the exporter needs', () => {
    const ref = jinjaExpr(
      `ti.xcom_pull(task_ids=${jinjaString('train')})['Training']['ModelArtifacts']['S3ModelArtifacts']`,
    )
    expect(ref).toBe("{{ ti.xcom_pull(task_ids='train')['Training']['ModelArtifacts']['S3ModelArtifacts'] }}")
    expect(() => jinjaExpr('  ')).toThrow(TypeError)
  })

  it('escapes a { that would touch an expression, also across merged text parts', () => {
    expect(template([{ text: 's3://{' }, { expr: 'ds' }, { text: '}/' }])).toBe("s3://{{ '{' }}{{ ds }}}/")
    expect(template([{ text: '{' }, { text: '{ x }}' }])).toBe("{{ '{{' }} x }}")
    expect(template([{ text: 'a\n' }, { expr: 'ds' }, { text: '\n' }])).toBe("a\n{{ ds }}{{ '\\n' }}")
    expect(template([])).toBe('')
  })
})

/** Parts whose expressions are string literals, so what they render to is known: `value`. */
type KnownPart = { readonly text: string } | { readonly expr: string; readonly value: string }
const partText = (p: KnownPart): string => ('text' in p ? p.text : p.value)
// A lone high surrogate at the end of one part and a lone low one at the start of the next join into
// one character in JS but stay two code points in Python, so such neighbours cannot be compared.
const splitsSurrogatePair = (parts: ReadonlyArray<KnownPart>): boolean =>
  parts.some((p, i) => i > 0 && /[\ud800-\udbff]$/.test(partText(parts[i - 1]!)) && /^[\udc00-\udfff]/.test(partText(p)))
const nastyParts: fc.Arbitrary<KnownPart[]> = fc
  .array(
    fc.oneof(
      nastyString.map((text): KnownPart => ({ text })),
      anyString.map((value): KnownPart => ({ expr: jinjaString(value), value })),
    ),
    { maxLength: 6 },
  )
  .filter((parts) => !splitsSurrogatePair(parts))
const renderedText = (parts: ReadonlyArray<KnownPart>): string =>
  parts.map((p) => ('text' in p ? p.text : p.value)).join('')

describe.skipIf(JINJA_SKIP)(`Jinja2 renders the original${JINJA_SKIP ? ` (skipped: ${JINJA_REASON})` : ''}`, () => {
  /** `autoescape: false` for expressions of arbitrary text, which autoescape would rightly change. */
  type Case = { readonly tpl: string; readonly want: string; readonly xcom?: unknown; readonly autoescape?: boolean }
  const judge = (cases: ReadonlyArray<Case>): Array<string | undefined> => {
    const out = callPython(
      JINJA_PYTHON,
      'jinja',
      cases.map((c) => ({
        src: pyStr(c.tpl),
        autoescape: c.autoescape ?? true,
        ...(c.xcom === undefined ? {} : { xcom: c.xcom }),
      })),
    )
    return cases.map((c, i) => {
      const o = out[i]
      if (o === undefined || 'err' in o) return `jinja: ${o === undefined ? 'no answer' : o.err} for ${pyStr(c.tpl)}`
      const want = show(codePoints(c.want))
      const bad = Object.entries(o.ok as Record<string, unknown>).filter(([, got]) => show(got) !== want)
      return bad.length === 0 ? undefined : `${bad.map(([env]) => env).join(', ')} differ for ${pyStr(c.tpl)}`
    })
  }
  const literalCase = (t: string): Case => ({ tpl: jinjaLiteral(t), want: t })

  it('unescaped openers really are live, and lone closers really are not', () => {
    // Guards the premise: if these hold, the escaping above is what keeps user text inert.
    expect(judge([{ tpl: 'a }} b %} c #}', want: 'a }} b %} c #}' }])).toEqual([undefined])
    expect(judge([{ tpl: "{{ 'x' }}", want: "{{ 'x' }}" }])[0]).toMatch(/differ/)
    expect(judge([{ tpl: 'a\r\nb', want: 'a\r\nb' }])[0]).toMatch(/differ/)
    // Airflow 2 leaves keep_trailing_newline off, so a final newline is dropped unless escaped.
    expect(judge([{ tpl: 'a\n', want: 'a\n' }])[0]).toBe("default, airflow, autoescape differ for 'a\\n'")
  })

  it('unit cases', () => {
    const texts = [
      ...NASTY,
      'Hello {{ name }}',
      '{% raw %}{{ x }}{% endraw %}',
      '{%- endraw -%}{% endraw %}',
      '{{ "{% endraw %}" }}',
      '{% for i in range(3) %}{{ i }}{% endfor %}',
      "{{ ''.__class__.__mro__ }}",
      '{{{{',
      '{#}',
      '{\r\n',
      'trailing\r\n',
      '\n',
      '',
    ]
    expect(judge(texts.map(literalCase))).toEqual(texts.map(() => undefined))
  })

  it('the XCom reference renders inside a template with escaped text around it', () => {
    const xcom = { train: { Training: { ModelArtifacts: { S3ModelArtifacts: 's3://b/model.tar.gz' } } } }
    const tpl = template([
      { text: 'model={{x}} at ' },
      { expr: `ti.xcom_pull(task_ids=${jinjaString('train')})['Training']['ModelArtifacts']['S3ModelArtifacts']` },
      { text: ' {' },
    ])
    expect(judge([{ tpl, want: 'model={{x}} at s3://b/model.tar.gz {', xcom }])).toEqual([undefined])
  })

  it('Template(jinjaLiteral(s)).render() == s for adversarial and arbitrary strings', () => {
    checkBatched(nastyString, 700, (xs) => judge(xs.map(literalCase)))
    checkBatched(anyString, 500, (xs) => judge(xs.map(literalCase)))
  })

  it('template(parts) renders text verbatim and string-literal expressions to their value', () => {
    checkBatched(nastyParts, 400, (xs) =>
      judge(xs.map((parts) => ({ tpl: template(parts), want: renderedText(parts), autoescape: false }))),
    )
  })
})
