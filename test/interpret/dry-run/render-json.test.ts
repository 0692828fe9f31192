import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { table } from '../../../src/interpret/dry-run/cost.js'
import { jsonWriter, renderJson } from '../../../src/interpret/dry-run/render-value.js'
import { join, param, ref, runId } from '../../../src/spec/val.js'

// The text plan's JSON writer quotes strings itself and keeps line starts per key and depth; without
// symbolic leaves its text is JSON.stringify's, indented.
const native = (v: unknown, indent: string) => JSON.stringify(v, null, 2).replace(/\n/g, `\n${indent}`)

// Strings with quotes, backslashes, controls, surrogates (paired and lone) and plain text.
const anyString = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\ud800', '\udc00', 'é', 'a') }), fc.string())

const value = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, anyString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  // Keys of any kind, members left undefined (JSON.stringify leaves them out, and so must the writer).
  object: fc.dictionary(anyString, fc.option(tie('value'), { nil: undefined }), { maxKeys: 4 }),
})).value

describe('renderJson', () => {
  it('without symbolic leaves, prints what JSON.stringify(value, null, 2) prints, lines after the first indented', () => {
    fc.assert(
      fc.property(value, fc.constantFrom('', '  ', '     '), (v, indent) => {
        expect(renderJson(v, indent)).toBe(JSON.stringify(v, null, 2) === undefined ? undefined : native(v, indent))
      }),
      { numRuns: 500 },
    )
  })

  it('one writer for many values (as for a whole plan) prints each as on its own', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.array(value, { minLength: 1 }), fc.dictionary(fc.string(), value, { minKeys: 1 })), { maxLength: 6 }), (vs) => {
        const write = jsonWriter('     ')
        for (const v of vs) {
          const out: string[] = []
          write(v, out)
          expect(out.join('')).toBe(native(v, '     '))
        }
      }),
    )
  })

  it('prints refs and params bare, joins and the run stamp quoted', () => {
    const v = { a: ref<string>('train', ['ModelArtifacts', 'S3ModelArtifacts']), b: [param.integer('epochs'), join('-', ['job', runId])], c: { d: 'x"y', e: runId } }
    expect(renderJson(v, '  ')).toBe(
      ['{', '    "a": <train.ModelArtifacts.S3ModelArtifacts>,', '    "b": [', '      <param:epochs>,', '      "job-<run>"', '    ],', '    "c": {', '      "d": "x\\"y",', '      "e": "<run>"', '    }', '  }'].join('\n'),
    )
  })
})

describe('table', () => {
  it('pads to the widest cell in code points (a surrogate pair is one)', () => {
    expect(table([['a😀', 'x'], ['abc', 'y']])).toEqual(['   a😀   x', '   abc  y'])
  })
})
