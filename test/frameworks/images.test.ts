import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import type { Either } from 'fp-ts/lib/Either.js'
import {
  ALGORITHMS,
  FRAMEWORK_IMAGES,
  REGIONS,
  algorithmImage,
  compareVersions,
  describeImageError,
  frameworkImage,
  imageErrorMessage,
  processorOf,
  supported,
  tableCombinations,
} from '../../src/frameworks/images.js'
import type { Algorithm, ImageError, ImageRequest, LineKey } from '../../src/frameworks/images.js'

const right = <A>(e: Either<ImageError, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${imageErrorMessage(e.left)}`)
  return e.right
}
const left = <A>(e: Either<ImageError, A>): ImageError => {
  if (E.isRight(e)) throw new Error(`expected Left, got ${String(e.right)}`)
  return e.left
}

const req = (r: Partial<ImageRequest> & Pick<ImageRequest, 'framework'>): ImageRequest => ({
  instanceType: 'ml.m5.large',
  region: 'us-west-2',
  scope: 'training',
  ...r,
})

// SageMaker's AlgorithmSpecification.TrainingImage / ContainerDefinition.Image: [\S]+, at most 255 characters.
const URI = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[a-z0-9-]+:[A-Za-z0-9._-]+$/
const sageMakerImage = (s: string): boolean => s.length <= 255 && /^\S+$/.test(s)

describe('frameworkImage: golden URIs', () => {
  const cases: ReadonlyArray<readonly [string, ImageRequest, string]> = [
    // v1.18 era (create_image_uri, account 520713654638)
    [
      'mxnet 1.3.0 cpu py3 (v1.18)',
      req({ framework: 'mxnet', version: '1.3.0', pyVersion: 'py3' }),
      '520713654638.dkr.ecr.us-west-2.amazonaws.com/sagemaker-mxnet:1.3.0-cpu-py3',
    ],
    [
      'mxnet 1.2 alias, GovCloud account',
      req({ framework: 'mxnet', version: '1.2', pyVersion: 'py2', region: 'us-gov-west-1', instanceType: 'ml.p3.2xlarge' }),
      '246785580436.dkr.ecr.us-gov-west-1.amazonaws.com/sagemaker-mxnet:1.2.1-gpu-py2',
    ],
    [
      'mxnet serving used the same v1 image',
      req({ framework: 'mxnet', version: '1.3', pyVersion: 'py3', scope: 'inference' }),
      '520713654638.dkr.ecr.us-west-2.amazonaws.com/sagemaker-mxnet:1.3.0-cpu-py3',
    ],
    [
      'pytorch 0.4 (v1.18 default)',
      req({ framework: 'pytorch', version: '0.4', pyVersion: 'py3' }),
      '520713654638.dkr.ecr.us-west-2.amazonaws.com/sagemaker-pytorch:0.4.0-cpu-py3',
    ],
    [
      'tensorflow 1.11 py2 legacy mode (v1.18 default)',
      req({ framework: 'tensorflow', version: '1.11', pyVersion: 'py2', region: 'us-east-1' }),
      '520713654638.dkr.ecr.us-east-1.amazonaws.com/sagemaker-tensorflow:1.11.0-cpu-py2',
    ],
    [
      'tensorflow 1.11 py2 in script mode',
      req({ framework: 'tensorflow', version: '1.11.0', pyVersion: 'py2', scriptMode: true, region: 'us-east-1' }),
      '520713654638.dkr.ecr.us-east-1.amazonaws.com/sagemaker-tensorflow-scriptmode:1.11.0-cpu-py2',
    ],
    [
      'tensorflow 1.12 py3 script mode',
      req({ framework: 'tensorflow', version: '1.12.0', pyVersion: 'py3', instanceType: 'ml.p3.2xlarge' }),
      '520713654638.dkr.ecr.us-west-2.amazonaws.com/sagemaker-tensorflow-scriptmode:1.12.0-gpu-py3',
    ],
    [
      'tensorflow serving 1.11 (no py in tag)',
      req({ framework: 'tensorflow', version: '1.11', scope: 'inference' }),
      '520713654638.dkr.ecr.us-west-2.amazonaws.com/sagemaker-tensorflow-serving:1.11.0-cpu',
    ],
    [
      'chainer 5.0 gpu',
      req({ framework: 'chainer', version: '5.0', pyVersion: 'py3', instanceType: 'ml.p2.xlarge' }),
      '520713654638.dkr.ecr.us-west-2.amazonaws.com/sagemaker-chainer:5.0.0-gpu-py3',
    ],
    // modern deep-learning containers (account 763104351884)
    [
      'pytorch 2.1 training gpu',
      req({ framework: 'pytorch', version: '2.1', instanceType: 'ml.p3.2xlarge' }),
      '763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:2.1.0-gpu-py310',
    ],
    [
      'pytorch 2.6.0 inference cpu',
      req({ framework: 'pytorch', version: '2.6.0', scope: 'inference', region: 'eu-west-1' }),
      '763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.6.0-cpu-py312',
    ],
    [
      'tensorflow 2.18 training gpu',
      req({ framework: 'tensorflow', version: '2.18', instanceType: 'ml.g5.xlarge' }),
      '763104351884.dkr.ecr.us-west-2.amazonaws.com/tensorflow-training:2.18.0-gpu-py310',
    ],
    [
      'tensorflow serving 2.16 alias resolves to 2.16.1 (training resolves 2.16 to 2.16.2)',
      req({ framework: 'tensorflow', version: '2.16', scope: 'inference', instanceType: 'ml.g4dn.xlarge' }),
      '763104351884.dkr.ecr.us-west-2.amazonaws.com/tensorflow-inference:2.16.1-gpu',
    ],
    [
      'mxnet 1.9 training gpu',
      req({ framework: 'mxnet', version: '1.9', instanceType: 'ml.p3.2xlarge' }),
      '763104351884.dkr.ecr.us-west-2.amazonaws.com/mxnet-training:1.9.0-gpu-py38',
    ],
    // first-party framework account map
    [
      'sklearn 0.20.0 us-west-2',
      req({ framework: 'sklearn', version: '0.20.0' }),
      '246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:0.20.0-cpu-py3',
    ],
    [
      'sklearn 1.2-1 inference us-east-1',
      req({ framework: 'sklearn', version: '1.2-1', scope: 'inference', region: 'us-east-1' }),
      '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
    ],
    [
      'xgboost 0.90-1 framework mode',
      req({ framework: 'xgboost', version: '0.90-1' }),
      '246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:0.90-1-cpu-py3',
    ],
    [
      'xgboost 1.7-1 on gpu: one image, no processor in tag',
      req({ framework: 'xgboost', version: '1.7-1', instanceType: 'ml.g5.xlarge' }),
      '246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.7-1',
    ],
    [
      'sparkml serving 2.2',
      req({ framework: 'sparkml-serving', version: '2.2', scope: 'inference' }),
      '246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-sparkml-serving:2.2',
    ],
    // Hugging Face
    [
      'huggingface 4.36 pytorch2.1 training',
      req({ framework: 'huggingface', version: '4.36', baseFramework: 'pytorch2.1', instanceType: 'ml.g5.xlarge', region: 'us-east-1' }),
      '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04',
    ],
    [
      'huggingface 4.17.0 tensorflow training',
      req({ framework: 'huggingface', version: '4.17.0', baseFramework: 'tensorflow2.6.3', instanceType: 'ml.p3.2xlarge' }),
      '763104351884.dkr.ecr.us-west-2.amazonaws.com/huggingface-tensorflow-training:2.6.3-transformers4.17.0-gpu-py38-cu112-ubuntu20.04',
    ],
    [
      'huggingface 4.37 inference cpu (single base, so baseFramework may be omitted)',
      req({ framework: 'huggingface', version: '4.37.0', scope: 'inference' }),
      '763104351884.dkr.ecr.us-west-2.amazonaws.com/huggingface-pytorch-inference:2.1.0-transformers4.37.0-cpu-py310-ubuntu22.04',
    ],
    [
      'huggingface 4.37 inference gpu',
      req({ framework: 'huggingface', version: '4.37', baseFramework: 'pytorch2.1.0', scope: 'inference', instanceType: 'ml.g5.xlarge' }),
      '763104351884.dkr.ecr.us-west-2.amazonaws.com/huggingface-pytorch-inference:2.1.0-transformers4.37.0-gpu-py310-cu118-ubuntu20.04',
    ],
    // RL
    [
      'rl coach 0.11 tensorflow (v1.18)',
      req({ framework: 'rl', toolkit: 'coach', toolkitVersion: '0.11', baseFramework: 'tensorflow' }),
      '520713654638.dkr.ecr.us-west-2.amazonaws.com/sagemaker-rl-tensorflow:coach0.11.0-cpu-py3',
    ],
    [
      'rl coach 0.11.0 mxnet gpu',
      req({ framework: 'rl', toolkit: 'coach', toolkitVersion: '0.11.0', baseFramework: 'mxnet', instanceType: 'ml.p3.2xlarge' }),
      '520713654638.dkr.ecr.us-west-2.amazonaws.com/sagemaker-rl-mxnet:coach0.11.0-gpu-py3',
    ],
    [
      'rl coach 1.0.0 tensorflow (newer RL account)',
      req({ framework: 'rl', toolkit: 'coach', version: '1.0.0', baseFramework: 'tensorflow', region: 'us-east-1', instanceType: 'ml.p3.2xlarge' }),
      '462105765813.dkr.ecr.us-east-1.amazonaws.com/sagemaker-rl-coach-container:coach-1.0.0-tf-gpu-py3',
    ],
    [
      'rl ray 0.5 tensorflow (v1.18)',
      req({ framework: 'rl', toolkit: 'ray', toolkitVersion: '0.5', baseFramework: 'tensorflow' }),
      '520713654638.dkr.ecr.us-west-2.amazonaws.com/sagemaker-rl-tensorflow:ray0.5.3-cpu-py3',
    ],
    [
      'rl ray 0.8.5 tensorflow',
      req({ framework: 'rl', toolkit: 'ray', toolkitVersion: '0.8.5', baseFramework: 'tensorflow' }),
      '462105765813.dkr.ecr.us-west-2.amazonaws.com/sagemaker-rl-ray-container:ray-0.8.5-tf-cpu-py36',
    ],
  ]
  it.each(cases)('%s', (_name, request, expected) => {
    expect(right(frameworkImage(request))).toBe(expected)
  })
})

describe('China and GovCloud', () => {
  it('uses amazonaws.com.cn and the China accounts in cn-* regions', () => {
    expect(right(frameworkImage(req({ framework: 'pytorch', version: '2.1.0', region: 'cn-north-1' })))).toBe(
      '727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/pytorch-training:2.1.0-cpu-py310',
    )
    expect(right(frameworkImage(req({ framework: 'mxnet', version: '1.3.0', pyVersion: 'py3', region: 'cn-northwest-1' })))).toBe(
      '423003514399.dkr.ecr.cn-northwest-1.amazonaws.com.cn/sagemaker-mxnet:1.3.0-cpu-py3',
    )
    expect(right(frameworkImage(req({ framework: 'sparkml-serving', version: '2.4', scope: 'inference', region: 'cn-north-1' })))).toBe(
      '450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-sparkml-serving:2.4',
    )
    expect(right(algorithmImage('kmeans', 'cn-northwest-1'))).toBe('387376663083.dkr.ecr.cn-northwest-1.amazonaws.com.cn/kmeans:1')
  })

  it('uses the GovCloud accounts, still on amazonaws.com', () => {
    expect(right(frameworkImage(req({ framework: 'pytorch', version: '2.1', region: 'us-gov-west-1' })))).toBe(
      '442386744353.dkr.ecr.us-gov-west-1.amazonaws.com/pytorch-training:2.1.0-cpu-py310',
    )
    expect(right(frameworkImage(req({ framework: 'sklearn', version: '1.0-1', region: 'us-gov-west-1' })))).toBe(
      '414596584902.dkr.ecr.us-gov-west-1.amazonaws.com/sagemaker-scikit-learn:1.0-1-cpu-py3',
    )
    expect(right(algorithmImage('pca', 'us-gov-west-1'))).toBe('226302683700.dkr.ecr.us-gov-west-1.amazonaws.com/pca:1')
  })
})

describe('algorithmImage', () => {
  const expected: Readonly<Record<Algorithm, readonly [string, string]>> = {
    kmeans: ['174872318107', '438346466558'],
    pca: ['174872318107', '438346466558'],
    'linear-learner': ['174872318107', '438346466558'],
    'factorization-machines': ['174872318107', '438346466558'],
    ntm: ['174872318107', '438346466558'],
    randomcutforest: ['174872318107', '438346466558'],
    knn: ['174872318107', '438346466558'],
    object2vec: ['174872318107', '438346466558'],
    ipinsights: ['174872318107', '438346466558'],
    lda: ['266724342769', '999678624901'],
    'forecasting-deepar': ['156387875391', '224300973850'],
    xgboost: ['433757028032', '685385470294'],
  }
  it.each(ALGORITHMS.map((a) => [a] as const))('%s in us-west-2 and eu-west-1', (algorithm) => {
    const [usWest2, euWest1] = expected[algorithm]
    expect(right(algorithmImage(algorithm, 'us-west-2'))).toBe(`${usWest2}.dkr.ecr.us-west-2.amazonaws.com/${algorithm}:1`)
    expect(right(algorithmImage(algorithm, 'eu-west-1'))).toBe(`${euWest1}.dkr.ecr.eu-west-1.amazonaws.com/${algorithm}:1`)
  })

  it('every algorithm resolves in every region its table lists, and matches the URI pattern', () => {
    for (const algorithm of ALGORITHMS) {
      for (const region of REGIONS) {
        const r = algorithmImage(algorithm, region)
        if (E.isRight(r)) {
          expect(r.right).toMatch(URI)
          expect(sageMakerImage(r.right)).toBe(true)
        } else {
          expect(r.left._tag).toBe('UnsupportedRegion')
        }
      }
    }
  })
})

describe('processor selection', () => {
  it.each([
    ['ml.p3.2xlarge', 'gpu'],
    ['ml.g5.xlarge', 'gpu'],
    ['ml.g4dn.xlarge', 'gpu'],
    ['ml.p4d.24xlarge', 'gpu'],
    ['ml.m5.large', 'cpu'],
    ['ml.c5.xlarge', 'cpu'],
    ['ml.t3.medium', 'cpu'],
    ['local', 'cpu'],
    ['local_gpu', 'gpu'],
  ] as const)('processorOf(%s) = %s', (instanceType, processor) => {
    expect(processorOf(instanceType)).toBe(processor)
    const uri = right(frameworkImage(req({ framework: 'pytorch', version: '2.3.0', instanceType })))
    expect(uri).toBe(`763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:2.3.0-${processor}-py311`)
  })

  it('v1.18 tags follow the same rule', () => {
    const tag = (instanceType: string): string =>
      right(frameworkImage(req({ framework: 'mxnet', version: '1.3.0', pyVersion: 'py3', instanceType }))).split(':')[1] ?? ''
    expect(tag('ml.p3.2xlarge')).toBe('1.3.0-gpu-py3')
    expect(tag('ml.g5.xlarge')).toBe('1.3.0-gpu-py3')
    expect(tag('ml.m5.large')).toBe('1.3.0-cpu-py3')
    expect(tag('ml.c5.xlarge')).toBe('1.3.0-cpu-py3')
    expect(tag('local')).toBe('1.3.0-cpu-py3')
    expect(tag('local_gpu')).toBe('1.3.0-gpu-py3')
  })
})

describe('errors', () => {
  it('RegionRequired when the region is not known yet', () => {
    for (const e of [
      left(frameworkImage(req({ framework: 'pytorch', version: '2.1', region: undefined }))),
      left(algorithmImage('kmeans', undefined)),
    ]) {
      expect(e._tag).toBe('RegionRequired')
      expect(e.supported).toEqual(REGIONS)
      expect(describeImageError(e).actual).toBe('(none)')
    }
  })

  it('UnsupportedRegion lists the regions of that image', () => {
    const lda = left(algorithmImage('lda', 'cn-north-1'))
    expect(lda).toMatchObject({ _tag: 'UnsupportedRegion', region: 'cn-north-1' })
    expect(lda.supported).toContain('us-west-2')
    expect(lda.supported).not.toContain('cn-north-1')
    expect(lda.supported).not.toContain('sa-east-1')

    const coach = left(frameworkImage(req({ framework: 'rl', toolkit: 'coach', toolkitVersion: '1.0.0', baseFramework: 'tensorflow', region: 'sa-east-1' })))
    expect(coach._tag).toBe('UnsupportedRegion')
    expect(coach.supported).toHaveLength(13)

    const mars = left(frameworkImage(req({ framework: 'pytorch', version: '2.1', region: 'mars-north-1' })))
    expect(mars._tag).toBe('UnsupportedRegion')
    expect(mars.supported).toEqual(REGIONS)
    expect(describeImageError(mars)).toEqual({
      expected: `a region with pytorch training 2.1.0 images, one of: ${REGIONS.join(', ')}`,
      actual: 'mars-north-1',
    })
  })

  it('UnsupportedVersion lists full versions and aliases', () => {
    const e = left(frameworkImage(req({ framework: 'pytorch', version: '1.13.1' })))
    expect(e._tag).toBe('UnsupportedVersion')
    expect(e.supported).toEqual(['0.4.0', '1.0.0', '2.1.0', '2.2.0', '2.3.0', '2.4.0', '2.5.1', '2.6.0', '0.4', '1.0', '2.1', '2.2', '2.3', '2.4', '2.5', '2.6'])
    expect(describeImageError(e).expected).toMatch(/^a pytorch training version, one of: 0\.4\.0, 1\.0\.0, 2\.1\.0/)
    expect(describeImageError(e).actual).toBe('1.13.1')
    const none = left(frameworkImage(req({ framework: 'sklearn' })))
    expect(none._tag).toBe('UnsupportedVersion')
    expect(describeImageError(none).actual).toBe('(none)')
  })

  it('UnsupportedPyVersion, including a missing py where several exist', () => {
    const wrong = left(frameworkImage(req({ framework: 'pytorch', version: '2.1.0', pyVersion: 'py3' })))
    expect(wrong).toMatchObject({ _tag: 'UnsupportedPyVersion', pyVersion: 'py3', supported: ['py310'] })
    const missing = left(frameworkImage(req({ framework: 'mxnet', version: '1.3.0' })))
    expect(missing).toMatchObject({ _tag: 'UnsupportedPyVersion', supported: ['py2', 'py3'] })
    expect(describeImageError(missing)).toEqual({ expected: 'a Python version for mxnet training 1.3.0, one of: py2, py3', actual: '(none)' })
  })

  it('UnsupportedProcessor for CPU-only, GPU-only and non-x86/accelerator families', () => {
    expect(left(frameworkImage(req({ framework: 'sklearn', version: '0.20.0', instanceType: 'ml.p3.2xlarge' })))).toMatchObject({
      _tag: 'UnsupportedProcessor',
      processor: 'gpu',
      supported: ['cpu'],
    })
    expect(left(frameworkImage(req({ framework: 'huggingface', version: '4.36.0', instanceType: 'ml.m5.large' })))).toMatchObject({
      _tag: 'UnsupportedProcessor',
      processor: 'cpu',
      supported: ['gpu'],
    })
    for (const [instanceType, processor] of [
      ['ml.inf2.xlarge', 'inf'],
      ['ml.trn1.32xlarge', 'trn'],
      ['ml.m6g.large', 'arm64'],
      ['ml.c7gn.xlarge', 'arm64'],
    ] as const) {
      const e = left(frameworkImage(req({ framework: 'pytorch', version: '2.1', instanceType })))
      expect(e).toMatchObject({ _tag: 'UnsupportedProcessor', processor, supported: ['cpu', 'gpu'] })
      expect(describeImageError(e).actual).toBe(`${processor} (${instanceType})`)
    }
    // one image for CPU and GPU still is not an arm64 image
    expect(left(frameworkImage(req({ framework: 'xgboost', version: '1.7-1', instanceType: 'ml.m6g.large' })))._tag).toBe('UnsupportedProcessor')
  })

  it('UnsupportedInstanceType for malformed types and retired P2', () => {
    const bad = left(frameworkImage(req({ framework: 'pytorch', version: '2.1', instanceType: 'm5.large' })))
    expect(bad).toMatchObject({ _tag: 'UnsupportedInstanceType', supported: ['ml.<family>.<size>', 'local', 'local_gpu'] })
    const p2 = left(frameworkImage(req({ framework: 'pytorch', version: '2.1', instanceType: 'ml.p2.xlarge' })))
    expect(p2._tag).toBe('UnsupportedInstanceType')
    expect(left(frameworkImage(req({ framework: 'tensorflow', version: '2.12', instanceType: 'ml.p2.xlarge' })))._tag).toBe('UnsupportedInstanceType')
    // earlier versions still accept P2
    expect(right(frameworkImage(req({ framework: 'tensorflow', version: '2.11', instanceType: 'ml.p2.xlarge' })))).toBe(
      '763104351884.dkr.ecr.us-west-2.amazonaws.com/tensorflow-training:2.11.1-gpu-py39',
    )
  })

  it('UnsupportedScope, UnsupportedFramework, UnsupportedAlgorithm', () => {
    expect(left(frameworkImage(req({ framework: 'sparkml-serving', version: '2.2', scope: 'training' })))).toMatchObject({
      _tag: 'UnsupportedScope',
      supported: ['inference'],
    })
    expect(
      left(frameworkImage(req({ framework: 'rl', toolkit: 'ray', toolkitVersion: '0.5', baseFramework: 'tensorflow', scope: 'inference' }))),
    ).toMatchObject({ _tag: 'UnsupportedScope', supported: ['training'] })
    const caffe = left(frameworkImage(req({ framework: 'caffe' as never, version: '1' })))
    expect(caffe).toMatchObject({ _tag: 'UnsupportedFramework', framework: 'caffe' })
    expect(caffe.supported).toContain('huggingface')
    const algo = left(algorithmImage('word2vec' as Algorithm, 'us-west-2'))
    expect(algo).toMatchObject({ _tag: 'UnsupportedAlgorithm', supported: ALGORITHMS })
    expect(describeImageError(algo).actual).toBe('word2vec')
  })

  it('UnsupportedToolkit and UnsupportedBaseFramework', () => {
    expect(left(frameworkImage(req({ framework: 'rl', toolkitVersion: '0.5', baseFramework: 'tensorflow' })))).toMatchObject({
      _tag: 'UnsupportedToolkit',
      supported: ['coach', 'ray'],
    })
    expect(left(frameworkImage(req({ framework: 'rl', toolkit: 'ray', toolkitVersion: '0.5', baseFramework: 'mxnet' })))).toMatchObject({
      _tag: 'UnsupportedBaseFramework',
      baseFramework: 'mxnet',
      supported: ['tensorflow'],
    })
    expect(
      left(frameworkImage(req({ framework: 'huggingface', version: '4.17', instanceType: 'ml.p3.2xlarge' }))),
    ).toMatchObject({ _tag: 'UnsupportedBaseFramework', supported: ['pytorch1.10.2', 'pytorch1.10', 'tensorflow2.6.3', 'tensorflow2.6'] })
    expect(
      left(frameworkImage(req({ framework: 'huggingface', version: '4.36', baseFramework: 'pytorch2', instanceType: 'ml.p3.2xlarge' })))._tag,
    ).toBe('UnsupportedBaseFramework')
  })

  it('imageErrorMessage is one readable line', () => {
    const e = left(frameworkImage(req({ framework: 'sklearn', version: '0.20.0', instanceType: 'ml.g5.xlarge' })))
    expect(imageErrorMessage(e)).toBe(
      'UnsupportedProcessor: expected a processor sklearn training 0.20.0 has images for, one of: cpu; found gpu (ml.g5.xlarge)',
    )
  })
})

describe('version matching', () => {
  it('an alias yields the same URI as the version it names', () => {
    for (const key of Object.keys(FRAMEWORK_IMAGES) as LineKey[]) {
      for (const scope of ['training', 'inference'] as const) {
        const line = FRAMEWORK_IMAGES[key][scope]
        if (line === undefined || (key.includes('-') && key !== 'sparkml-serving')) continue // RL lines are not framework names
        for (const [alias, full] of Object.entries(line.aliases)) {
          const entry = line.versions.find((v) => v.version === full)
          expect(entry, `${key} ${scope} ${alias} -> ${full}`).toBeDefined()
          const base = { framework: key as ImageRequest['framework'], scope, pyVersion: entry?.py[0], baseFramework: entry?.base, instanceType: 'ml.p3.2xlarge' }
          expect(right(frameworkImage(req({ ...base, version: alias })))).toBe(right(frameworkImage(req({ ...base, version: full }))))
        }
      }
    }
  })

  it('supported() lists full versions oldest first', () => {
    expect(supported('pytorch')).toEqual(['0.4.0', '1.0.0', '2.1.0', '2.2.0', '2.3.0', '2.4.0', '2.5.1', '2.6.0'])
    expect(supported('tensorflow', { scope: 'inference' })).toEqual(['1.11.0', '1.12.0', '2.11.1', '2.12.1', '2.13.0', '2.14.1', '2.16.1', '2.18.0'])
    expect(supported('tensorflow', { scope: 'training' })).toContain('2.16.2')
    expect(supported('xgboost')).toEqual(['0.90-1', '0.90-2', '1.0-1', '1.2-1', '1.2-2', '1.3-1', '1.5-1', '1.7-1', '2.1-0'])
    expect(supported('huggingface', { scope: 'training' })).toEqual(['4.17.0', '4.26.0', '4.28.1', '4.29.0', '4.36.0', '4.48.0'])
    expect(supported('rl', { toolkit: 'coach', baseFramework: 'mxnet' })).toEqual(['0.11.0'])
    expect(supported('sparkml-serving', { scope: 'training' })).toEqual([])
    expect(compareVersions('1.10.0', '1.9.0')).toBeGreaterThan(0)
  })
})

describe('every combination the table claims', () => {
  const combos = tableCombinations()
  const cpuFamilies = ['m5', 'c5', 't3', 'r5', 'm4', 'c6i'] as const
  const gpuFamilies = ['p3', 'g4dn', 'g5', 'p4d', 'g6'] as const
  const sizes = ['large', 'xlarge', '2xlarge', '12xlarge'] as const

  it('covers every framework', () => {
    const frameworks = new Set(combos.map((c) => c.request.framework))
    expect([...frameworks].sort()).toEqual(['chainer', 'huggingface', 'mxnet', 'pytorch', 'rl', 'sklearn', 'sparkml-serving', 'tensorflow', 'xgboost'])
    expect(combos.length).toBeGreaterThan(1000)
  })

  it('exhaustively: Right, well-formed, and the account of that region', () => {
    for (const c of combos) {
      const instanceType = c.processor === 'gpu' ? 'ml.g5.xlarge' : 'ml.m5.large'
      const uri = right(frameworkImage({ ...c.request, instanceType }))
      expect(uri).toMatch(URI)
      expect(sageMakerImage(uri)).toBe(true)
      expect(uri).toContain(`.dkr.ecr.${c.request.region ?? ''}.`)
    }
  })

  it('property: any claimed combination on any matching instance type resolves to a valid image URI', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...combos),
        fc.constantFrom(...cpuFamilies),
        fc.constantFrom(...gpuFamilies),
        fc.constantFrom(...sizes),
        fc.boolean(),
        (combo, cpu, gpu, size, local) => {
          const processor = combo.processor ?? (local ? 'gpu' : 'cpu')
          const instanceType = local ? (processor === 'gpu' ? 'local_gpu' : 'local') : `ml.${processor === 'gpu' ? gpu : cpu}.${size}`
          const result = frameworkImage({ ...combo.request, instanceType })
          if (E.isLeft(result)) return false
          const uri = result.right
          const tag = uri.slice(uri.lastIndexOf(':') + 1)
          return (
            URI.test(uri) &&
            sageMakerImage(uri) &&
            (uri.includes('.amazonaws.com.cn/') === (combo.request.region ?? '').startsWith('cn-')) &&
            (combo.processor === undefined || tag.split('-').includes(combo.processor)) &&
            (combo.request.pyVersion === undefined || tag.split('-').includes(combo.request.pyVersion))
          )
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('property: a region outside the table is always UnsupportedRegion with a non-empty list', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...combos),
        fc.stringMatching(/^[a-z]{2}-[a-z]{4,9}-[0-9]$/).filter((r) => !(REGIONS as ReadonlyArray<string>).includes(r)),
        (combo, region) => {
          const r = frameworkImage({ ...combo.request, region, instanceType: combo.processor === 'gpu' ? 'ml.p3.2xlarge' : 'ml.m5.large' })
          return E.isLeft(r) && r.left._tag === 'UnsupportedRegion' && r.left.supported.length > 0
        },
      ),
    )
  })
})
