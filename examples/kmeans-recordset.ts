/**
 * Cluster a small numeric matrix with Amazon's built-in K-Means: the matrix becomes a RecordSet
 * (RecordIO-protobuf shards, one per instance, and the `.amazon.manifest` listing them), K-Means
 * trains on it, and the model is served on an endpoint that speaks RecordIO-protobuf.
 * `npx sagespec plan examples/kmeans-recordset.ts`
 *
 * Making the RecordSet uploads nothing: `uploads` (exported below) are the objects to put in S3
 * before training starts, and `sagespec run --target aws|local` and the exported Airflow DAG put
 * them there. Their keys are content-addressed, so the same data always plans the same keys and an
 * object that already exists is not uploaded again.
 */
import { endpoint, program } from '../src/index.js'
import { kmeans, kmeansModel, PREDICTORS, recordSet } from '../src/frameworks/algorithms/index.js'

const role = 'arn:aws:iam::111122223333:role/SageMakerRole'
const region = 'us-west-2'

// 60 points around three centres, generated without randomness so the plan is the same every time.
const centres = [
  [0, 0, 0, 0],
  [5, 5, 0, 1],
  [0, 5, 5, 2],
]
const matrix = Array.from({ length: 60 }, (_, i) => {
  const c = centres[i % 3]!
  return c.map((x, j) => x + (((i * 7 + j * 13) % 11) - 5) / 10)
})

const records = recordSet({ matrix, instanceCount: 2, dataLocation: 's3://example-bucket/clusters/record-sets/' })

const train = kmeans('clusters', {
  role,
  region,
  instanceType: 'ml.c5.xlarge',
  instanceCount: 2,
  output: { s3OutputPath: 's3://example-bucket/clusters/models' },
  records,
  k: 3,
  initMethod: 'kmeans++',
  maxIterations: 100,
  evalMetrics: ['msd', 'ssd'],
})

const clusterModel = kmeansModel('clusters-model', { modelData: train.outputs.modelArtifacts, role, region })

const serve = endpoint('clusters-endpoint', {
  variants: [{ model: clusterModel.outputs.name, instanceType: 'ml.m5.large' }],
})

/** What to put in S3 before the training step runs: the shards, then the manifest. */
export const uploads = records.uploads

/** How to talk to the endpoint: RecordIO-protobuf in and out. */
export const predictor = PREDICTORS.kmeans

export default program(train, clusterModel, serve)
