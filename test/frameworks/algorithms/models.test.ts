import { describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import * as A from '../../../src/frameworks/algorithms/index.js'
import { endpoint } from '../../../src/spec/step.js'
import { ROLE, RUN, build, expectValidRequest, messages, resolvedRequests } from './support.js'

describe('algorithm models', () => {
  it('golden CreateModel: the algorithm image for the region and the training step\'s artifacts', () => {
    const train = build('kmeans')
    const m = A.kmeansModel('km-model', { modelData: train.outputs.modelArtifacts, role: ROLE, region: 'eu-west-1', environment: { LOG_LEVEL: 'info' } })
    const reqs = resolvedRequests(train, m)
    const create = reqs.find((r) => r._tag === 'CreateModel')!.input
    expect(create).toEqual({
      ModelName: `km-model-${RUN}`,
      PrimaryContainer: {
        Image: '438346466558.dkr.ecr.eu-west-1.amazonaws.com/kmeans:1',
        ModelDataUrl: 's3://example-bucket/out/job/output/model.tar.gz',
        Environment: { LOG_LEVEL: 'info' },
      },
      ExecutionRoleArn: ROLE,
    })
    expectValidRequest('CreateModel', create)
  })

  it.each([
    ['pca', A.pcaModel, '174872318107.dkr.ecr.us-west-2.amazonaws.com/pca:1'],
    ['linear-learner', A.linearLearnerModel, '174872318107.dkr.ecr.us-west-2.amazonaws.com/linear-learner:1'],
    ['factorization-machines', A.factorizationMachinesModel, '174872318107.dkr.ecr.us-west-2.amazonaws.com/factorization-machines:1'],
    ['lda', A.ldaModel, '266724342769.dkr.ecr.us-west-2.amazonaws.com/lda:1'],
    ['ntm', A.ntmModel, '174872318107.dkr.ecr.us-west-2.amazonaws.com/ntm:1'],
    ['randomcutforest', A.randomCutForestModel, '174872318107.dkr.ecr.us-west-2.amazonaws.com/randomcutforest:1'],
    ['knn', A.knnModel, '174872318107.dkr.ecr.us-west-2.amazonaws.com/knn:1'],
    ['object2vec', A.object2vecModel, '174872318107.dkr.ecr.us-west-2.amazonaws.com/object2vec:1'],
    ['ipinsights', A.ipInsightsModel, '174872318107.dkr.ecr.us-west-2.amazonaws.com/ipinsights:1'],
  ] as const)('%s model uses its own image', (_, make, image) => {
    const m = make('m', { modelData: 's3://example-bucket/model.tar.gz', role: ROLE, region: 'us-west-2' })
    expect(m.container?.image).toBe(image)
    const [req] = resolvedRequests(m)
    expectValidRequest('CreateModel', req!.input)
  })

  it('deploys like any model', () => {
    const m = A.pcaModel('m', { modelData: 's3://example-bucket/model.tar.gz', role: ROLE, region: 'us-west-2' })
    const e = endpoint('e', { variants: [{ model: m.outputs.name, instanceType: 'ml.m5.large' }] })
    expect(resolvedRequests(m, e).map((r) => r._tag)).toEqual(['CreateModel', 'CreateEndpointConfig', 'CreateEndpoint'])
  })

  it('an unknown region is reported at container.image', () => {
    const m = A.kmeansModel('m', { modelData: 's3://example-bucket/model.tar.gz', role: ROLE, region: 'mars-1' })
    expect(messages(m).filter((x) => x.startsWith('steps.m.container.image: expected a region with kmeans images'))).toHaveLength(1)
  })
})

describe('predictor formats', () => {
  it('RecordIO-protobuf in and out, except IPInsights (CSV in, JSON out) and Object2Vec (JSON)', () => {
    const recordio = { _tag: 'RecordIO', contentType: 'application/x-recordio-protobuf', accept: 'application/x-recordio-protobuf' }
    expect(A.PREDICTORS).toEqual({
      kmeans: recordio,
      pca: recordio,
      'linear-learner': recordio,
      'factorization-machines': recordio,
      lda: recordio,
      ntm: recordio,
      randomcutforest: recordio,
      knn: recordio,
      object2vec: { _tag: 'Json', contentType: 'application/json', accept: 'application/json' },
      ipinsights: { _tag: 'CsvJson', contentType: 'text/csv', accept: 'application/json' },
    })
  })

  it('CSV rows as the SDK writes them, refusing values it would split', () => {
    const text = (r: E.Either<string, Uint8Array>) => E.map((b: Uint8Array) => new TextDecoder().decode(b))(r)
    expect(text(A.PREDICTOR_CODECS.CsvJson.serialize([['user_1', '1.2.3.4'], ['user_2', '5.6.7.8']]))).toEqual(E.right('user_1,1.2.3.4\nuser_2,5.6.7.8'))
    expect(E.isLeft(A.PREDICTOR_CODECS.CsvJson.serialize([['a,b', 'c']]))).toBe(true)
    expect(E.isLeft(A.PREDICTOR_CODECS.CsvJson.serialize([]))).toBe(true)
  })

  it('JSON responses are parsed; broken ones are a Left', () => {
    const bytes = new TextEncoder().encode('{"predictions":[{"dot_product":0.5}]}')
    expect(A.PREDICTOR_CODECS.CsvJson.deserialize(bytes)).toEqual(E.right({ predictions: [{ dot_product: 0.5 }] }))
    expect(E.isLeft(A.PREDICTOR_CODECS.Json.deserialize(new TextEncoder().encode('{')))).toBe(true)
    expect(A.PREDICTOR_CODECS.Json.serialize({ instances: [{ in0: [1, 2], in1: [3] }] })).toEqual(E.right(new TextEncoder().encode('{"instances":[{"in0":[1,2],"in1":[3]}]}')))
  })
})
