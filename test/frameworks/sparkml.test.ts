import { describe, expect, it } from 'vitest'
import { sparkmlModel, type SparkMLSchema } from '../../src/frameworks/index.js'
import { param } from '../../src/spec/val.js'
import { RUN, ROLE, expectServiceValid, messagesOf, planOf, requestOf, resolved, serviceSkip } from './presets-support.js'

const schema: SparkMLSchema = {
  input: [
    { name: 'sex', type: 'string' },
    { name: 'length', type: 'double' },
  ],
  output: { name: 'features', type: 'double', struct: 'vector' },
}

describe('SparkML Serving', () => {
  it('plans the exact CreateModel with the schema variable (golden)', () => {
    const m = sparkmlModel('spark', { modelData: 's3://bucket/mleap/model.tar.gz', role: ROLE, region: 'us-west-2', schema })
    expect(resolved(requestOf(planOf(m), 'spark', 'CreateModel'))).toEqual({
      ModelName: `spark-${RUN}`,
      PrimaryContainer: {
        Image: '246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-sparkml-serving:2.4',
        ModelDataUrl: 's3://bucket/mleap/model.tar.gz',
        Environment: {
          SAGEMAKER_SPARKML_SCHEMA: '{"input":[{"name":"sex","type":"string"},{"name":"length","type":"double"}],"output":{"name":"features","type":"double","struct":"vector"}}',
        },
      },
      ExecutionRoleArn: ROLE,
    })
  })

  it('takes another Spark version, and any instance type (one image serves all)', () => {
    expect(sparkmlModel('spark', { modelData: 's3://b/m.tar.gz', role: ROLE, region: 'eu-west-1', sparkVersion: '2.2', instanceType: param.string('it') }).container).toEqual({
      image: '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-sparkml-serving:2.2',
      modelDataUrl: 's3://b/m.tar.gz',
    })
  })

  it('reports versions and schemas with exact messages', () => {
    const o = { modelData: 's3://b/m.tar.gz', role: ROLE, region: 'us-west-2' }
    expect(messagesOf(sparkmlModel('spark', { ...o, sparkVersion: '3.0' }))).toEqual([
      'steps.spark.sparkVersion: expected a sparkml-serving inference version, one of: 2.2, 2.4, found "3.0"',
    ])
    expect(
      messagesOf(
        sparkmlModel('spark', {
          ...o,
          schema: { input: [{ name: '', type: 'decimal' as never, struct: 'map' as never }], output: { name: 'y', type: 'int' as never } },
        }),
      ),
    ).toEqual([
      'steps.spark.schema.input.0.name: expected a column name, found ""',
      'steps.spark.schema.input.0.type: expected one of boolean, byte, short, integer, long, float, double, string, found "decimal"',
      'steps.spark.schema.input.0.struct: expected one of basic, vector, array, found "map"',
      'steps.spark.schema.output.type: expected one of boolean, byte, short, integer, long, float, double, string, found "int"',
    ])
    expect(messagesOf(sparkmlModel('spark', { ...o, schema: { input: [], output: { name: 'y', type: 'double' } } }))).toEqual([
      'steps.spark.schema.input: expected at least one input column, found []',
    ])
    expect(messagesOf(sparkmlModel('spark', { ...o, schema, env: { SAGEMAKER_SPARKML_SCHEMA: '{}' } }))).toEqual([
      'steps.spark.env.SAGEMAKER_SPARKML_SCHEMA: expected a name the preset leaves to you (it sets SAGEMAKER_SPARKML_SCHEMA itself), found "{}"',
    ])
  })

  it.skipIf(serviceSkip !== undefined)('sends a request the service model accepts', () => {
    expect(expectServiceValid(planOf(sparkmlModel('spark', { modelData: 's3://b/m.tar.gz', role: ROLE, region: 'us-west-2', schema })))).toBe(1)
  })
})
