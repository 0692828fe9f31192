/**
 * fast-check arbitraries derived from our codecs' metadata (`metaOf`), so generators cannot drift from
 * what the codecs accept. Every derived value decodes (the `arbitrary` law checks it); `val` fields
 * hold literals only (refs and params are added where they fit by the program arbitrary).
 *
 * Opaque codecs (hand-written `scalar`s, the step list) have no metadata: they need an override, keyed
 * by the codec's `name`. An override also wins for any other codec of that name, which is how a test
 * narrows a field (e.g. instance types to ones every API's enum lists).
 */
import fc from 'fast-check'
import type * as t from 'io-ts'
import { metaOf } from '../../src/spec/codec.js'
import { existingNameCodec } from '../../src/spec/fields.js'
import { existing } from '../../src/spec/val.js'

export type Overrides = { readonly [codecName: string]: fc.Arbitrary<unknown> }

/** -0 does not survive JSON; the codecs treat it as 0 anyway. */
const finite = (c: { min?: number; max?: number } = {}) =>
  fc.double({ noNaN: true, noDefaultInfinity: true, min: c.min ?? -1e9, max: c.max ?? 1e9 }).map((x) => (Object.is(x, -0) ? 0 : x))

/** fc.jsonValue may hold -0, which JSON writes as 0. */
const noNegativeZero = (v: unknown): unknown =>
  Object.is(v, -0) ? 0 : Array.isArray(v) ? v.map(noNegativeZero) : typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, noNegativeZero(x)])) : v

const scalarValue = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), finite(), fc.boolean())

/** Arbitraries for the opaque codecs of `src/spec`; merged under any overrides given. */
export const OPAQUE_DEFAULTS: Overrides = {
  HyperParameterValue: scalarValue,
  CategoricalValue: fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), finite(), fc.boolean()),
  ParamValue: scalarValue,
  JSON: fc.jsonValue({ maxDepth: 2 }).map(noNegativeZero),
}

// Lookbehind is not supported by fc.stringMatching: generate from the pattern without it and keep
// what the whole pattern accepts (rarely rejects: only values ending where the assertion looks).
const withoutLookbehind = (p: RegExp): RegExp => new RegExp(p.source.replace(/\(\?<[!=][^)]*\)/g, ''), p.flags)

const codePoints = (s: string) => [...s].length

const stringArbitrary = (m: { min: number; max: number; pattern?: RegExp }): fc.Arbitrary<string> => {
  const maxLength = Number.isFinite(m.max) ? m.max : 64
  const fits = (s: string) => codePoints(s) >= m.min && codePoints(s) <= m.max
  if (m.pattern === undefined) return fc.string({ minLength: m.min, maxLength, unit: 'grapheme-ascii' })
  const pattern = m.pattern
  const base = /\(\?<[!=]/.test(pattern.source)
    ? fc.stringMatching(withoutLookbehind(pattern), { maxLength }).filter((s) => pattern.test(s))
    : fc.stringMatching(pattern, { maxLength })
  // The pattern and maxLength already bound almost every value; the length filter is a last resort.
  return base.filter(fits)
}

/**
 * Derive an arbitrary from a codec built with `src/spec/codec.ts`.
 *
 * @param overrides arbitraries by codec name; required for opaque codecs without a default
 */
export const arbitraryOf = <A>(codec: t.Type<A, any, unknown>, overrides: Overrides = {}): fc.Arbitrary<A> => {
  const all = { ...OPAQUE_DEFAULTS, ...overrides }
  const go = (c: t.Type<any, any, unknown>): fc.Arbitrary<unknown> => {
    const o = all[c.name]
    if (o !== undefined) return o
    const m = metaOf(c)
    switch (m.kind) {
      case 'string':
        return stringArbitrary(m)
      case 'number':
        return m.integer ? fc.integer({ min: m.min ?? -(2 ** 31), max: m.max ?? 2 ** 31 - 1 }) : finite(m)
      case 'boolean':
        return fc.boolean()
      case 'oneOf':
        return fc.constantFrom(...m.values)
      case 'opaque': {
        // A field naming another resource: `existing(name)` (the program arbitrary wires refs in).
        const name = existingNameCodec(c)
        if (name !== undefined) return go(name).map((n) => existing(n as string))
        throw new Error(`arbitraryOf: codec "${m.name}" is opaque; pass an override for it`)
      }
      case 'val':
        return go(m.codec)
      case 'array':
        return fc.array(go(m.item), { minLength: m.min, maxLength: Math.min(m.max, m.min + 3) })
      case 'record':
        return fc.dictionary(m.key !== undefined ? (go(m.key) as fc.Arbitrary<string>) : fc.string({ maxLength: 12 }), go(m.value), {
          maxKeys: Math.min(m.max, 4),
          noNullPrototype: true,
        })
      case 'struct': {
        const fields = { ...m.required, ...m.optional }
        const model = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, go(f)]))
        return fc.record(model, { requiredKeys: Object.keys(m.required), noNullPrototype: true })
      }
      case 'taggedUnion':
        return fc.oneof(...Object.values(m.members).map(go))
    }
  }
  return go(codec) as fc.Arbitrary<A>
}
