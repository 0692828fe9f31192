import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as C from '../../src/spec/codec.js'
import { tooDeep } from '../../src/spec/depth.js'
import { ProgramCodec, toJson } from '../../src/spec/program.js'
import { scan } from '../../src/spec/scan.js'
import { program, training } from '../../src/spec/index.js'
import { validate } from '../../src/spec/validate.js'
import { arbitraryProgram } from '../support/programs.js'
import { agreesWithDecoder, fast, plainUses, slow } from '../support/fast-path.js'

// The shortcuts validate takes must decide as the exact code they stand in for: the compiled struct
// and ref checks as the decoder (on objects JSON never makes, too), the one-pass scan as `tooDeep` and
// the existing-name walk, the numbered cycle search as the search by names it replaced.


type Obj = Record<string, unknown>

/** Every object (not array) inside a value, with the program itself first. */
const objectsIn = (u: unknown): Obj[] => {
  const out: Obj[] = []
  const go = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(go)
    if (typeof v !== 'object' || v === null) return
    out.push(v as Obj)
    Object.values(v).forEach(go)
  }
  go(u)
  return out
}

/** Ways to hold a field the decoder reads but JSON never makes. */
const EXOTIC = ['inherited', 'not enumerable', 'null prototype', 'extra not enumerable'] as const
const exotic = (o: Obj, how: (typeof EXOTIC)[number], key: string, value: unknown): void => {
  switch (how) {
    case 'inherited':
      // The decoder reads `o[key]` through the prototype.
      delete o[key]
      Object.setPrototypeOf(o, { [key]: value })
      return
    case 'not enumerable':
      Object.defineProperty(o, key, { value, enumerable: false, configurable: true, writable: true })
      return
    case 'null prototype':
      Object.setPrototypeOf(o, null)
      return
    case 'extra not enumerable':
      Object.defineProperty(o, `zz${key}`, { value, enumerable: false })
  }
}

const VALUES = [42, 'x', '', -1, true, null, undefined, {}, [], { _tag: 'Ref', step: 'a', path: ['ModelArtifacts', 'S3ModelArtifacts'] }]

describe('laws: validate takes shortcuts only where the exact code would decide the same', () => {
  it('the compiled check never passes what the decoder refuses, with fields inherited, not enumerable or on null-prototype objects', () => {
    const cases = fc.tuple(arbitraryProgram({ local: true, maxSteps: 3 }), fc.nat(), fc.nat(), fc.constantFrom(...EXOTIC), fc.constantFrom(...VALUES), fc.boolean())
    fc.assert(
      fc.property(cases, ([p, i, j, how, replacement, keepValue]) => {
        const u = JSON.parse(toJson(p)) as unknown
        const objects = objectsIn(u)
        const o = objects[i % objects.length]!
        const keys = Object.keys(o)
        const key = keys[j % keys.length] ?? 'image'
        exotic(o, how, key, keepValue ? o[key] : replacement)
        agreesWithDecoder(u)
      }),
      { numRuns: 300 },
    )
  })

  it('the compiled check of a ref agrees with the decoder on malformed refs', () => {
    const part = fc.constantFrom<unknown>('ModelArtifacts', 'S3ModelArtifacts', '', 'x', 1, undefined)
    const ref = fc
      .record({
        step: fc.constantFrom<unknown>('t0', '', 'nope', 3, undefined),
        path: fc.oneof({ weight: 4, arbitrary: fc.array(part, { maxLength: 3 }) }, { weight: 1, arbitrary: fc.constantFrom<unknown>('x', undefined) }),
        extra: fc.boolean(),
      })
      .map(({ step, path, extra }): Obj => ({ _tag: 'Ref', step, path, ...(extra ? { extra: 1 } : {}) }))
    const t0 = training('t0', { image: 'i:1', role: 'arn:aws:iam::111122223333:role/R', resources: { instanceType: 'ml.m5.xlarge' }, output: { s3OutputPath: 's3://b/o' } })
    fc.assert(
      fc.property(ref, fc.boolean(), (r, holey) => {
        const u = JSON.parse(toJson(program(t0, training('t1', { ...t0, modelUri: t0.outputs.modelArtifacts })))) as { steps: Obj[] }
        // A path with a hole: `every` skips it in the decoder.
        if (holey && Array.isArray(r.path)) (r.path as unknown[]).length += 1
        u.steps[1]!.modelUri = r
        const s = slow(u)
        const f = fast(u)
        if (f.result) expect(s.result._tag).toBe('Right')
        const d = C.collectingUses(() => C.decode(ProgramCodec, u))
        expect(d.result).toEqual(s.result)
        expect(plainUses(d.uses)).toEqual(plainUses(s.uses))
      }),
      { numRuns: 1000 },
    )
  })

  // Trees of objects and arrays, some shaped like existing(name), some sharing a subtree.
  const tree = fc.letrec<{ node: unknown }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(1, 'a', null, true),
      fc.record({ _tag: fc.constant('Existing'), name: fc.constantFrom('a', 'b', 'c') }),
      fc.array(tie('node'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('x', 'y', 'z', '_tag', 'name'), tie('node'), { maxKeys: 3 }),
    ),
  })).node

  /** What the existing-name check (a walk of every value) finds: names of objects shaped like existing(name). */
  const existingNamesByWalk = (u: unknown): string[] =>
    objectsIn(u).flatMap((o) => (o._tag === 'Existing' && typeof o.name === 'string' ? [o.name] : []))

  it('the scan says "too deep" exactly when tooDeep finds a path, and sees every existing(name)', () => {
    fc.assert(
      fc.property(tree, fc.integer({ min: 1, max: 6 }), (u, max) => {
        const s = scan(u, max)
        expect(s.deep).toBe(tooDeep(u, max) !== undefined)
        if (!s.deep) for (const n of existingNamesByWalk(u)) expect(s.existingNames).toContain(n)
      }),
      { numRuns: 1000 },
    )
  })

  it('the scan counts a cycle as too deep, as tooDeep does', () => {
    const o: Obj = { a: [{}] }
    ;((o.a as Obj[])[0] as Obj).back = o
    expect(scan(o).deep).toBe(true)
    expect(tooDeep(o)).toBeDefined()
  })

  /** The cycle search validate had before it numbered its nodes (a reference, by names). */
  const cyclesByName = (names: ReadonlyArray<string>, deps: ReadonlyMap<string, ReadonlyArray<string>>): string[][] => {
    const state = new Map<string, 'visiting' | 'done'>()
    const found: string[][] = []
    for (const root of names) {
      if (state.has(root)) continue
      const stack: Array<{ node: string; next: number }> = [{ node: root, next: 0 }]
      state.set(root, 'visiting')
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!
        const ds = (deps.get(top.node) ?? []).filter((d) => deps.has(d))
        if (top.next < ds.length) {
          const d = ds[top.next++]!
          const st = state.get(d)
          if (st === 'visiting') found.push([...stack.slice(stack.findIndex((f) => f.node === d)).map((f) => f.node), d].reverse())
          else if (st === undefined) {
            state.set(d, 'visiting')
            stack.push({ node: d, next: 0 })
          }
        } else {
          state.set(top.node, 'done')
          stack.pop()
        }
      }
    }
    return found
  }

  it('reports the cycles the search by names finds, in its order', () => {
    const NAMES = ['a', 'b', 'c', 'd', 'e', 'f']
    const edge = fc.record({ ref: fc.boolean(), to: fc.constantFrom(...NAMES, 'gone') })
    const graph = fc.array(fc.record({ name: fc.constantFrom(...NAMES), edges: fc.array(edge, { maxLength: 3 }) }), { minLength: 1, maxLength: 7 })
    const body = JSON.parse(
      toJson(program(training('x', { image: 'i:1', role: 'arn:aws:iam::111122223333:role/R', resources: { instanceType: 'ml.m5.xlarge' }, output: { s3OutputPath: 's3://b/o' } }))),
    ).steps[0] as Obj
    fc.assert(
      fc.property(graph, (g) => {
        const steps = g.map(({ name, edges }) => {
          const after = edges.filter((e) => !e.ref).map((e) => e.to)
          const ref = edges.find((e) => e.ref)
          return { ...body, name, ...(after.length > 0 ? { after } : {}), ...(ref !== undefined ? { modelUri: { _tag: 'Ref', step: ref.to, path: ['ModelArtifacts', 'S3ModelArtifacts'] } } : {}) }
        })
        const deps = new Map<string, string[]>()
        for (const s of steps) {
          if (deps.has(s.name)) continue
          const ds = new Set<string>(s.after ?? [])
          if (s.modelUri !== undefined) ds.add(s.modelUri.step)
          deps.set(s.name, [...ds])
        }
        const expected = cyclesByName([...deps.keys()], deps).map((c) => ({ path: `steps.${c[0]}`, steps: c }))
        const r = validate({ version: '1', params: [], steps })
        const found = E.isLeft(r) ? r.left.flatMap((e) => (e._tag === 'Cycle' ? [{ path: e.path, steps: e.steps }] : [])) : []
        expect(found).toEqual(expected)
      }),
      { numRuns: 500 },
    )
  })
})
