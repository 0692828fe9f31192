import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { ndarray } from '../../../src/frameworks/npy.js'
import { csvDeserializer, csvSerializer, jsonDeserializer, jsonSerializer, npyDeserializer, npySerializer } from '../../../src/frameworks/serializers.js'
import { describePredictError, predictor } from '../../../src/interpret/predict/predictor.js'
import { modelError, scriptedBackend, type Script } from '../../support/scripted-backend.js'

const text = new TextEncoder()

/** A backend with one endpoint in service: `serve`, variants `blue` and `green`. */
const serving = async (script: Script = {}) => {
  const backend = scriptedBackend({ polls: () => 0, ...script })
  await backend.send('CreateModel', { ModelName: 'churn' })
  await backend.send('CreateEndpointConfig', {
    EndpointConfigName: 'serve-config',
    ProductionVariants: [
      { VariantName: 'blue', ModelName: 'churn', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
      { VariantName: 'green', ModelName: 'churn', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
    ],
  })
  await backend.send('CreateEndpoint', { EndpointName: 'serve', EndpointConfigName: 'serve-config' })
  await backend.send('DescribeEndpoint', { EndpointName: 'serve' })
  return backend
}

const invokes = (b: Awaited<ReturnType<typeof serving>>) => b.calls.filter((c) => c.op === 'InvokeEndpoint').map((c) => c.input)

describe('predictor', () => {
  it('sends CSV and reads the CSV answer, with the formats as ContentType and Accept', async () => {
    const backend = await serving({ invoke: () => ({ Body: text.encode('0.93\n0.12\n'), ContentType: 'text/csv; charset=utf-8' }) })
    const p = predictor('serve', { backend, serializer: csvSerializer, deserializer: csvDeserializer })
    expect(await p.predict([[1, 'a,b'], [2, 'c']])).toStrictEqual(E.right([['0.93'], ['0.12']]))
    const [sent] = invokes(backend)
    expect({ ...sent, Body: new TextDecoder().decode(sent.Body) }).toStrictEqual({ EndpointName: 'serve', Body: '1,"a,b"\n2,c', ContentType: 'text/csv', Accept: 'text/csv' })
  })

  it('JSON and NPY values make the round trip through an endpoint that echoes', async () => {
    const backend = await serving()
    expect(await predictor('serve', { backend, serializer: jsonSerializer, deserializer: jsonDeserializer }).predict({ instances: [[1, 2], [3, 4]] })).toStrictEqual(
      E.right({ instances: [[1, 2], [3, 4]] }),
    )
    const a = ndarray('float64', [2, 2], [1.5, -2, 0, 4])
    const back = await predictor('serve', { backend, serializer: npySerializer, deserializer: npyDeserializer }).predict(a)
    expect(E.isRight(back) && [back.right.shape, [...back.right.data]]).toStrictEqual([[2, 2], [1.5, -2, 0, 4]])
  })

  it('content type, accept and target variant can be chosen; raw bytes by default', async () => {
    const backend = await serving()
    const p = predictor('serve', { backend, contentType: 'application/x-recordio-protobuf', accept: 'application/json', targetVariant: 'green' })
    const got = await p.invoke(new Uint8Array([1, 2, 3]))
    expect(got).toStrictEqual(E.right({ body: new Uint8Array([1, 2, 3]), contentType: 'application/json', invokedVariant: 'green' }))
    expect(invokes(backend)[0]).toMatchObject({ ContentType: 'application/x-recordio-protobuf', Accept: 'application/json', TargetVariant: 'green' })
    const raw = await predictor('serve', { backend }).predict(new Uint8Array([9]))
    expect(raw).toStrictEqual(E.right(new Uint8Array([9])))
    expect(invokes(backend)[1]).toMatchObject({ ContentType: 'application/octet-stream', Accept: 'application/octet-stream' })
    expect(invokes(backend)[1]).not.toHaveProperty('TargetVariant')
  })

  it("a container's error is a ModelError value with the container's own message", async () => {
    const log = 'arn:aws:logs:us-west-2:111122223333:log-group:/aws/sagemaker/Endpoints/serve'
    const backend = await serving({
      invoke: () => {
        throw modelError(400, 'could not convert string to float: "abc"', log)
      },
    })
    const r = await predictor('serve', { backend, serializer: csvSerializer, deserializer: csvDeserializer }).predict([['abc']])
    expect(r).toStrictEqual(E.left({ _tag: 'ModelError', endpoint: 'serve', statusCode: 400, message: 'could not convert string to float: "abc"', logStreamArn: log }))
    expect(E.isLeft(r) && describePredictError(r.left)).toBe(`endpoint serve: the model's container answered 400: could not convert string to float: "abc" (its log: ${log})`)
  })

  it('an unknown endpoint or variant is a service error; an unreadable answer says what it could not read', async () => {
    const backend = await serving({ invoke: (i) => ({ Body: text.encode(i.TargetVariant === 'blue' ? 'not json' : '[]'), ContentType: 'application/json' }) })
    const missing = await predictor('nope', { backend }).predict(new Uint8Array())
    expect(E.isLeft(missing) && describePredictError(missing.left)).toBe('endpoint nope: InvokeEndpoint failed: ValidationError: Endpoint nope of account 111122223333 not found.')
    const variant = await predictor('serve', { backend, targetVariant: 'red' }).predict(new Uint8Array())
    expect(variant).toStrictEqual(E.left({ _tag: 'ServiceError', endpoint: 'serve', name: 'ValidationError', message: 'Endpoint serve does not have target variant red.' }))
    const unreadable = await predictor('serve', { backend, serializer: jsonSerializer, deserializer: jsonDeserializer, targetVariant: 'blue' }).predict({})
    expect(E.isLeft(unreadable) && unreadable.left._tag).toBe('UnreadableAnswer')
    expect(E.isLeft(unreadable) && describePredictError(unreadable.left)).toMatch(/^endpoint serve: cannot read its answer \(application\/json\): Unexpected token/)
  })
})
