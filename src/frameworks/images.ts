/**
 * Container image URIs for the SageMaker framework estimators/models and the
 * Amazon built-in algorithms, as data in one place plus pure lookups.
 *
 * URI shape: `{account}.dkr.ecr.{region}.{domain}/{repository}:{tag}` where the
 * domain is `amazonaws.com.cn` for China regions and `amazonaws.com` otherwise.
 * Framework tags follow the SDK's rule `{prefix}-{processor}-{py}-{suffix}`,
 * leaving out the parts a line does not use (TF Serving has no py, SparkML and
 * XGBoost >= 1.2-1 have neither processor nor py, Hugging Face adds a CUDA/OS
 * suffix). Algorithm tags are always `:1`.
 *
 * Sources (facts only; this is not a port of the SDK's code):
 *  - aws/sagemaker-python-sdk `src/sagemaker/image_uri_config/*.json`, read from
 *    the stored public snapshots named on each line below (mix of 2020-2025
 *    commits; the DLC account per region is the same across them for the
 *    regions covered here).
 *  - aws/sagemaker-python-sdk `src/sagemaker/image_uris.py` (tag assembly,
 *    processor rule, P2 retirement rule).
 *  - aws/deep-learning-containers `huggingface/pytorch/{training,inference}/buildspec-2-{1,3}*.yml`
 *    for the Hugging Face lines newer than the SDK snapshot (4.36, 4.37, 4.48).
 *  - /work/shared/reference/sagemaker-python-sdk.md §1.6/§1.7 for the v1.18 rules.
 *
 * Version matching: a full version (`2.1.0`) matches itself; a short alias
 * (`2.1`) resolves through the line's alias table to the patch the SDK maps
 * it to (usually the latest). Unlike the SDK, which puts the alias itself in
 * the tag (a floating DLC tag), the URI always carries the resolved full
 * version so a spec pins exactly one image.
 *
 * Coverage is limited to the regions in `REGIONS`; an AWS region outside that
 * list is reported as unsupported even where AWS publishes the image.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Either } from 'fp-ts/lib/Either.js'
import { ALGORITHMS, type Algorithm } from '../spec/algorithms.js'

// ---------------------------------------------------------------------------
// Vocabulary

export type Processor = 'cpu' | 'gpu'
export type Scope = 'training' | 'inference'
export type RlToolkit = 'coach' | 'ray'
export type RlBaseFramework = 'tensorflow' | 'mxnet'

export const FRAMEWORKS = [
  'pytorch',
  'tensorflow',
  'mxnet',
  'chainer',
  'sklearn',
  'xgboost',
  'huggingface',
  'rl',
  'sparkml-serving',
] as const
export type Framework = (typeof FRAMEWORKS)[number]

export { ALGORITHMS, type Algorithm } from '../spec/algorithms.js'

/** Every region some table below covers; each registry lists its own subset. */
export const REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-south-1',
  'us-gov-west-1',
  'cn-north-1',
  'cn-northwest-1',
] as const
export type Region = (typeof REGIONS)[number]

// ---------------------------------------------------------------------------
// Data: region -> ECR account

type Registry = Readonly<Partial<Record<Region, string>>>

const allRegions = (account: string, overrides: Registry): Registry =>
  Object.fromEntries(REGIONS.map((r) => [r, overrides[r] ?? account]))

export const REGISTRIES = {
  /** v1-era `sagemaker-*` framework images (v1.18 default account 520713654638; GovCloud 246785580436). */
  legacy: allRegions('520713654638', {
    'us-gov-west-1': '246785580436',
    'cn-north-1': '422961961927',
    'cn-northwest-1': '423003514399',
  }),
  /** AWS Deep Learning Containers (pytorch-*, tensorflow-*, mxnet-*, huggingface-*). */
  dlc: allRegions('763104351884', {
    'us-gov-west-1': '442386744353',
    'cn-north-1': '727897471807',
    'cn-northwest-1': '727897471807',
  }),
  /** scikit-learn, XGBoost (framework mode) and SparkML serving (sklearn.json, xgboost.json, sparkml-serving.json). */
  firstPartyFramework: {
    'us-east-1': '683313688378',
    'us-east-2': '257758044811',
    'us-west-1': '746614075791',
    'us-west-2': '246618743249',
    'ca-central-1': '341280168497',
    'sa-east-1': '737474898029',
    'eu-west-1': '141502667606',
    'eu-west-2': '764974769150',
    'eu-west-3': '659782779980',
    'eu-central-1': '492215442770',
    'eu-north-1': '662702820516',
    'ap-northeast-1': '354813040037',
    'ap-northeast-2': '366743142698',
    'ap-southeast-1': '121021644041',
    'ap-southeast-2': '783357654285',
    'ap-south-1': '720646828776',
    'us-gov-west-1': '414596584902',
    'cn-north-1': '450853457545',
    'cn-northwest-1': '451049120500',
  },
  /** Newer RL containers (coach 1.0.0, ray 0.8.x): 13 commercial regions only. */
  rlContainers: Object.fromEntries(
    (
      [
        'us-east-1',
        'us-east-2',
        'us-west-1',
        'us-west-2',
        'ca-central-1',
        'eu-west-1',
        'eu-west-2',
        'eu-central-1',
        'ap-northeast-1',
        'ap-northeast-2',
        'ap-southeast-1',
        'ap-southeast-2',
        'ap-south-1',
      ] as const
    ).map((r) => [r, '462105765813']),
  ),
  /** The "1P" algorithm group (kmeans.json, pca.json, ... ipinsights.json all agree). */
  algorithms: {
    'us-east-1': '382416733822',
    'us-east-2': '404615174143',
    'us-west-1': '632365934929',
    'us-west-2': '174872318107',
    'ca-central-1': '469771592824',
    'sa-east-1': '855470959533',
    'eu-west-1': '438346466558',
    'eu-west-2': '644912444149',
    'eu-west-3': '749696950732',
    'eu-central-1': '664544806723',
    'eu-north-1': '669576153137',
    'ap-northeast-1': '351501993468',
    'ap-northeast-2': '835164637446',
    'ap-southeast-1': '475088953585',
    'ap-southeast-2': '712309505854',
    'ap-south-1': '991648021394',
    'us-gov-west-1': '226302683700',
    'cn-north-1': '390948362332',
    'cn-northwest-1': '387376663083',
  },
  /** lda.json: fewer regions (no sa-east-1, eu-west-3, eu-north-1, China). */
  lda: {
    'us-east-1': '766337827248',
    'us-east-2': '999911452149',
    'us-west-1': '632365934929',
    'us-west-2': '266724342769',
    'ca-central-1': '469771592824',
    'eu-west-1': '999678624901',
    'eu-west-2': '644912444149',
    'eu-central-1': '353608530281',
    'ap-northeast-1': '258307448986',
    'ap-northeast-2': '293181348795',
    'ap-southeast-1': '475088953585',
    'ap-southeast-2': '297031611018',
    'ap-south-1': '991648021394',
    'us-gov-west-1': '226302683700',
  },
  /** forecasting-deepar.json. */
  deepar: {
    'us-east-1': '522234722520',
    'us-east-2': '566113047672',
    'us-west-1': '632365934929',
    'us-west-2': '156387875391',
    'ca-central-1': '469771592824',
    'sa-east-1': '855470959533',
    'eu-west-1': '224300973850',
    'eu-west-2': '644912444149',
    'eu-west-3': '749696950732',
    'eu-central-1': '495149712605',
    'eu-north-1': '669576153137',
    'ap-northeast-1': '633353088612',
    'ap-northeast-2': '204372634319',
    'ap-southeast-1': '475088953585',
    'ap-southeast-2': '514117268639',
    'ap-south-1': '991648021394',
    'us-gov-west-1': '226302683700',
    'cn-north-1': '390948362332',
    'cn-northwest-1': '387376663083',
  },
  /** The built-in XGBoost algorithm (`xgboost:1`, xgboost.json version "1"), shared with seq2seq & co. */
  xgboostAlgorithm: {
    'us-east-1': '811284229777',
    'us-east-2': '825641698319',
    'us-west-1': '632365934929',
    'us-west-2': '433757028032',
    'ca-central-1': '469771592824',
    'sa-east-1': '855470959533',
    'eu-west-1': '685385470294',
    'eu-west-2': '644912444149',
    'eu-west-3': '749696950732',
    'eu-central-1': '813361260812',
    'eu-north-1': '669576153137',
    'ap-northeast-1': '501404015308',
    'ap-northeast-2': '306986355934',
    'ap-southeast-1': '475088953585',
    'ap-southeast-2': '544295431143',
    'ap-south-1': '991648021394',
    'us-gov-west-1': '226302683700',
    'cn-north-1': '390948362332',
    'cn-northwest-1': '387376663083',
  },
} as const satisfies Record<string, Registry>

export type RegistryName = keyof typeof REGISTRIES

// ---------------------------------------------------------------------------
// Data: framework image lines

export interface ImageVersion {
  /** Full version as it appears in the tag (Hugging Face: the transformers version). */
  readonly version: string
  /** Hugging Face only: the base framework, e.g. `pytorch2.1.0`. */
  readonly base?: string
  readonly repository: string
  readonly registry: RegistryName
  /** Python tags offered; empty means the tag carries no py part. */
  readonly py: ReadonlyArray<string>
  /** Processors offered; empty means the tag carries no processor and one image serves CPU and GPU. */
  readonly processors: ReadonlyArray<Processor>
  /** Replaces `version` at the head of the tag (RL `coach0.11.0`, HF `2.1.0-transformers4.36.0`). */
  readonly tagPrefix?: string
  /** Appended per processor (HF `cu121-ubuntu20.04`). */
  readonly tagSuffix?: Readonly<Partial<Record<Processor, string>>>
  /**
   * TensorFlow 1.11/1.12 training: v1.18 ran py2 jobs in "legacy mode" from this
   * repository unless script mode was asked for; py3 always used script mode.
   */
  readonly legacyPy2Repository?: string
}

export interface ImageLine {
  /** Where these facts come from. */
  readonly source: string
  /** Short alias -> full version. */
  readonly aliases: Readonly<Record<string, string>>
  /** Oldest first. */
  readonly versions: ReadonlyArray<ImageVersion>
}

/** One line per framework (RL: per toolkit and base framework) and scope. */
export type LineKey = Exclude<Framework, 'rl'> | 'coach-tensorflow' | 'coach-mxnet' | 'ray-tensorflow'

const CPU_GPU: ReadonlyArray<Processor> = ['cpu', 'gpu']

const img = (
  version: string,
  repository: string,
  registry: RegistryName,
  py: ReadonlyArray<string>,
  processors: ReadonlyArray<Processor> = CPU_GPU,
  extra: Partial<ImageVersion> = {},
): ImageVersion => ({ version, repository, registry, py, processors, ...extra })

/** Alias table `X.Y -> X.Y.Z` for versions whose short form maps to themselves. */
const minorAliases = (versions: ReadonlyArray<string>): Record<string, string> =>
  Object.fromEntries(versions.map((v) => [v.split('.').slice(0, 2).join('.'), v]))

const pytorchLine = (repository: string): ImageLine => ({
  source:
    'sagemaker-python-sdk pytorch.json: legacy 0.4.0/1.0.0 @ 02188a11 (2021); 2.1.0-2.6.0 via fork evakravi/sagemaker-python-sdk @ 86ab70f6 (2025)',
  aliases: minorAliases(['0.4.0', '1.0.0', '2.1.0', '2.2.0', '2.3.0', '2.4.0', '2.5.1', '2.6.0']),
  versions: [
    // v1.18 era: one `sagemaker-pytorch` image served both training and hosting.
    img('0.4.0', 'sagemaker-pytorch', 'legacy', ['py2', 'py3']),
    img('1.0.0', 'sagemaker-pytorch', 'legacy', ['py2', 'py3']),
    img('2.1.0', repository, 'dlc', ['py310']),
    img('2.2.0', repository, 'dlc', ['py310']),
    img('2.3.0', repository, 'dlc', ['py311']),
    img('2.4.0', repository, 'dlc', ['py311']),
    img('2.5.1', repository, 'dlc', ['py311']),
    img('2.6.0', repository, 'dlc', ['py312']),
  ],
})

const mxnetLine = (repository: string): ImageLine => ({
  source: 'sagemaker-python-sdk mxnet.json @ 132fb947 (legacy 0.12.1-1.3.0 and DLC 1.6.0-1.9.0, the last MXNet releases)',
  aliases: minorAliases(['0.12.1', '1.0.0', '1.1.0', '1.2.1', '1.3.0', '1.6.0', '1.7.0', '1.8.0', '1.9.0']),
  versions: [
    ...['0.12.1', '1.0.0', '1.1.0', '1.2.1', '1.3.0'].map((v) => img(v, 'sagemaker-mxnet', 'legacy', ['py2', 'py3'])),
    img('1.6.0', repository, 'dlc', ['py2', 'py3']),
    img('1.7.0', repository, 'dlc', ['py3']),
    img('1.8.0', repository, 'dlc', ['py37']),
    img('1.9.0', repository, 'dlc', ['py38']),
  ],
})

const chainerLine: ImageLine = {
  source: 'sagemaker-python-sdk chainer.json @ 5d36aec0 (Chainer never moved to DLC; these are all its versions)',
  aliases: minorAliases(['4.0.0', '4.1.0', '5.0.0']),
  versions: ['4.0.0', '4.1.0', '5.0.0'].map((v) => img(v, 'sagemaker-chainer', 'legacy', ['py2', 'py3'])),
}

const sklearnLine: ImageLine = {
  source: 'sagemaker-python-sdk sklearn.json @ ef7c5a00 (same image for training and inference)',
  aliases: {},
  versions: ['0.20.0', '0.23-1', '1.0-1', '1.2-1'].map((v) =>
    img(v, 'sagemaker-scikit-learn', 'firstPartyFramework', ['py3'], ['cpu']),
  ),
}

const xgboostLine: ImageLine = {
  source: 'sagemaker-python-sdk xgboost.json @ 02ed3cbf (framework mode; 1.2-1 and later tags carry no processor/py)',
  aliases: {},
  versions: [
    ...['0.90-1', '0.90-2', '1.0-1'].map((v) => img(v, 'sagemaker-xgboost', 'firstPartyFramework', ['py3'], ['cpu'])),
    ...['1.2-1', '1.2-2', '1.3-1', '1.5-1', '1.7-1', '2.1-0'].map((v) =>
      img(v, 'sagemaker-xgboost', 'firstPartyFramework', [], []),
    ),
  ],
}

const sparkmlLine: ImageLine = {
  source: 'sagemaker-python-sdk sparkml-serving.json @ e8ffe701',
  aliases: {},
  versions: ['2.2', '2.4'].map((v) => img(v, 'sagemaker-sparkml-serving', 'firstPartyFramework', [], [])),
}

const hf = (
  transformers: string,
  base: string,
  py: string,
  repository: string,
  suffix: Partial<Record<Processor, string>>,
): ImageVersion =>
  img(transformers, repository, 'dlc', [py], Object.keys(suffix) as Processor[], {
    base,
    tagPrefix: `${base.replace(/^(pytorch|tensorflow)/, '')}-transformers${transformers}`,
    tagSuffix: suffix,
  })

const hfTraining: ImageLine = {
  source:
    'sagemaker-python-sdk huggingface.json via fork phall1/sagemaker-python-sdk @ ce93a66d (4.17.0-4.29.0); ' +
    'aws/deep-learning-containers huggingface/pytorch/training/buildspec-2-1.yml, buildspec-2-3-0.yml (4.36.0, 4.48.0)',
  aliases: minorAliases(['4.17.0', '4.26.0', '4.28.1', '4.29.0', '4.36.0', '4.48.0']),
  versions: [
    hf('4.17.0', 'pytorch1.10.2', 'py38', 'huggingface-pytorch-training', { gpu: 'cu113-ubuntu20.04' }),
    hf('4.17.0', 'tensorflow2.6.3', 'py38', 'huggingface-tensorflow-training', { gpu: 'cu112-ubuntu20.04' }),
    hf('4.26.0', 'pytorch1.13.1', 'py39', 'huggingface-pytorch-training', { gpu: 'cu117-ubuntu20.04' }),
    hf('4.28.1', 'pytorch2.0.0', 'py310', 'huggingface-pytorch-training', { gpu: 'cu118-ubuntu20.04' }),
    hf('4.29.0', 'pytorch2.0.0', 'py310', 'huggingface-pytorch-training', { gpu: 'cu118-ubuntu20.04' }),
    hf('4.36.0', 'pytorch2.1.0', 'py310', 'huggingface-pytorch-training', { gpu: 'cu121-ubuntu20.04' }),
    hf('4.48.0', 'pytorch2.3.0', 'py311', 'huggingface-pytorch-training', { gpu: 'cu121-ubuntu20.04' }),
  ],
}

const hfInference: ImageLine = {
  source:
    'sagemaker-python-sdk huggingface.json via fork phall1/sagemaker-python-sdk @ ce93a66d (4.17.0-4.29.0); ' +
    'aws/deep-learning-containers huggingface/pytorch/inference/buildspec-2-1-0.yml, buildspec-2-3-0.yml (4.37.0, 4.48.0)',
  aliases: minorAliases(['4.17.0', '4.26.0', '4.28.1', '4.29.0', '4.37.0', '4.48.0']),
  versions: [
    hf('4.17.0', 'pytorch1.10.2', 'py38', 'huggingface-pytorch-inference', { cpu: 'ubuntu20.04', gpu: 'cu113-ubuntu20.04' }),
    hf('4.17.0', 'tensorflow2.6.3', 'py38', 'huggingface-tensorflow-inference', { cpu: 'ubuntu20.04', gpu: 'cu112-ubuntu20.04' }),
    hf('4.26.0', 'pytorch1.13.1', 'py39', 'huggingface-pytorch-inference', { cpu: 'ubuntu20.04', gpu: 'cu117-ubuntu20.04' }),
    hf('4.26.0', 'tensorflow2.11.0', 'py39', 'huggingface-tensorflow-inference', { cpu: 'ubuntu20.04', gpu: 'cu112-ubuntu20.04' }),
    hf('4.28.1', 'pytorch2.0.0', 'py310', 'huggingface-pytorch-inference', { cpu: 'ubuntu20.04', gpu: 'cu118-ubuntu20.04' }),
    hf('4.29.0', 'pytorch2.0.0', 'py310', 'huggingface-pytorch-inference', { cpu: 'ubuntu20.04', gpu: 'cu118-ubuntu20.04' }),
    hf('4.37.0', 'pytorch2.1.0', 'py310', 'huggingface-pytorch-inference', { cpu: 'ubuntu22.04', gpu: 'cu118-ubuntu20.04' }),
    hf('4.48.0', 'pytorch2.3.0', 'py311', 'huggingface-pytorch-inference', { cpu: 'ubuntu22.04', gpu: 'cu121-ubuntu22.04' }),
  ],
}

const rl = (version: string, repository: string, registry: RegistryName, py: string, tagPrefix: string): ImageVersion =>
  img(version, repository, registry, [py], CPU_GPU, { tagPrefix })

export const FRAMEWORK_IMAGES: Readonly<Record<LineKey, Readonly<Partial<Record<Scope, ImageLine>>>>> = {
  pytorch: { training: pytorchLine('pytorch-training'), inference: pytorchLine('pytorch-inference') },
  tensorflow: {
    training: {
      source:
        'sagemaker-python-sdk tensorflow.json: 1.11.0/1.12.0 @ 03da8387 (2023); 2.11.1-2.18.0 via fork evakravi/sagemaker-python-sdk @ 4470d4dd (2025)',
      aliases: {
        '1.11': '1.11.0',
        '1.12': '1.12.0',
        '2.11': '2.11.1',
        '2.12': '2.12.0',
        '2.13': '2.13.0',
        '2.14': '2.14.1',
        '2.16': '2.16.2',
        '2.18': '2.18.0',
      },
      versions: [
        // Script mode is `sagemaker-tensorflow-scriptmode` (the SDK table). v1.18 legacy mode
        // (py2 without script_mode) used `sagemaker-tensorflow` (reference notes §1.6 show it
        // for 1.11.0; for 1.12.0 it follows v1.18's naming rule, not a published list).
        img('1.11.0', 'sagemaker-tensorflow-scriptmode', 'legacy', ['py2', 'py3'], CPU_GPU, {
          legacyPy2Repository: 'sagemaker-tensorflow',
        }),
        img('1.12.0', 'sagemaker-tensorflow-scriptmode', 'legacy', ['py2', 'py3'], CPU_GPU, {
          legacyPy2Repository: 'sagemaker-tensorflow',
        }),
        img('2.11.1', 'tensorflow-training', 'dlc', ['py39']),
        img('2.12.0', 'tensorflow-training', 'dlc', ['py310']),
        img('2.13.0', 'tensorflow-training', 'dlc', ['py310']),
        img('2.14.1', 'tensorflow-training', 'dlc', ['py310']),
        img('2.16.2', 'tensorflow-training', 'dlc', ['py310']),
        img('2.18.0', 'tensorflow-training', 'dlc', ['py310']),
      ],
    },
    inference: {
      source:
        'sagemaker-python-sdk tensorflow.json: TF Serving 1.11.0/1.12.0 @ 03da8387; 2.11.1-2.18.0 via fork evakravi/sagemaker-python-sdk @ 4470d4dd',
      aliases: {
        '1.11': '1.11.0',
        '1.12': '1.12.0',
        '2.11': '2.11.1',
        '2.12': '2.12.1',
        '2.13': '2.13.0',
        '2.14': '2.14.1',
        '2.16': '2.16.1',
        '2.18': '2.18.0',
      },
      // TensorFlow Serving images have no Python in their tag.
      versions: [
        img('1.11.0', 'sagemaker-tensorflow-serving', 'legacy', []),
        img('1.12.0', 'sagemaker-tensorflow-serving', 'legacy', []),
        ...['2.11.1', '2.12.1', '2.13.0', '2.14.1', '2.16.1', '2.18.0'].map((v) =>
          img(v, 'tensorflow-inference', 'dlc', []),
        ),
      ],
    },
  },
  mxnet: { training: mxnetLine('mxnet-training'), inference: mxnetLine('mxnet-inference') },
  chainer: { training: chainerLine, inference: chainerLine },
  sklearn: { training: sklearnLine, inference: sklearnLine },
  xgboost: { training: xgboostLine, inference: xgboostLine },
  huggingface: { training: hfTraining, inference: hfInference },
  // RL images are training-only in the SDK's tables (Coach models are served by TF Serving / MXNet images).
  'coach-tensorflow': {
    training: {
      source: 'sagemaker-python-sdk coach-tensorflow.json @ 5bf7105e',
      aliases: { '0.10': '0.10.1', '0.11': '0.11.0' },
      versions: [
        rl('0.10.1', 'sagemaker-rl-tensorflow', 'legacy', 'py3', 'coach0.10.1'),
        rl('0.11.0', 'sagemaker-rl-tensorflow', 'legacy', 'py3', 'coach0.11.0'),
        rl('0.11.1', 'sagemaker-rl-tensorflow', 'legacy', 'py3', 'coach0.11.1'),
        rl('1.0.0', 'sagemaker-rl-coach-container', 'rlContainers', 'py3', 'coach-1.0.0-tf'),
      ],
    },
  },
  'coach-mxnet': {
    training: {
      source: 'sagemaker-python-sdk coach-mxnet.json @ 5bf7105e',
      aliases: { '0.11': '0.11.0' },
      versions: [rl('0.11.0', 'sagemaker-rl-mxnet', 'legacy', 'py3', 'coach0.11.0')],
    },
  },
  'ray-tensorflow': {
    training: {
      source: 'sagemaker-python-sdk ray-tensorflow.json @ 481719f9',
      aliases: { '0.5': '0.5.3', '0.6': '0.6.5' },
      versions: [
        rl('0.5.3', 'sagemaker-rl-tensorflow', 'legacy', 'py3', 'ray0.5.3'),
        rl('0.6.5', 'sagemaker-rl-tensorflow', 'legacy', 'py3', 'ray0.6.5'),
        rl('0.8.2', 'sagemaker-rl-ray-container', 'rlContainers', 'py36', 'ray-0.8.2-tf'),
        rl('0.8.5', 'sagemaker-rl-ray-container', 'rlContainers', 'py36', 'ray-0.8.5-tf'),
      ],
    },
  },
  'sparkml-serving': { inference: sparkmlLine },
}

/** RL toolkit -> base frameworks it ships with. */
const RL_LINES: Readonly<Record<RlToolkit, Readonly<Partial<Record<RlBaseFramework, LineKey>>>>> = {
  coach: { tensorflow: 'coach-tensorflow', mxnet: 'coach-mxnet' },
  ray: { tensorflow: 'ray-tensorflow' },
}

/** The SDK refuses P2 instances from these versions on (`_validate_instance_deprecation`). */
export const P2_RETIRED_FROM: Readonly<Partial<Record<LineKey, string>>> = { pytorch: '1.13', tensorflow: '2.12' }

/** Amazon algorithms: repository and account map; the tag is always `1`. */
export const ALGORITHM_IMAGES: Readonly<Record<Algorithm, { readonly repository: string; readonly registry: RegistryName }>> = {
  kmeans: { repository: 'kmeans', registry: 'algorithms' },
  pca: { repository: 'pca', registry: 'algorithms' },
  'linear-learner': { repository: 'linear-learner', registry: 'algorithms' },
  'factorization-machines': { repository: 'factorization-machines', registry: 'algorithms' },
  lda: { repository: 'lda', registry: 'lda' },
  ntm: { repository: 'ntm', registry: 'algorithms' },
  randomcutforest: { repository: 'randomcutforest', registry: 'algorithms' },
  knn: { repository: 'knn', registry: 'algorithms' },
  object2vec: { repository: 'object2vec', registry: 'algorithms' },
  ipinsights: { repository: 'ipinsights', registry: 'algorithms' },
  'forecasting-deepar': { repository: 'forecasting-deepar', registry: 'deepar' },
  xgboost: { repository: 'xgboost', registry: 'xgboostAlgorithm' },
}

// ---------------------------------------------------------------------------
// Errors

export type ImageError =
  | { readonly _tag: 'RegionRequired'; readonly supported: ReadonlyArray<string> }
  | { readonly _tag: 'UnsupportedRegion'; readonly subject: string; readonly region: string; readonly supported: ReadonlyArray<string> }
  | { readonly _tag: 'UnsupportedFramework'; readonly framework: unknown; readonly supported: ReadonlyArray<string> }
  | { readonly _tag: 'UnsupportedAlgorithm'; readonly algorithm: unknown; readonly supported: ReadonlyArray<string> }
  | { readonly _tag: 'UnsupportedScope'; readonly subject: string; readonly scope: unknown; readonly supported: ReadonlyArray<string> }
  | { readonly _tag: 'UnsupportedToolkit'; readonly toolkit: unknown; readonly supported: ReadonlyArray<string> }
  | { readonly _tag: 'UnsupportedBaseFramework'; readonly subject: string; readonly baseFramework: unknown; readonly supported: ReadonlyArray<string> }
  | { readonly _tag: 'UnsupportedVersion'; readonly subject: string; readonly version: string | undefined; readonly supported: ReadonlyArray<string> }
  | { readonly _tag: 'UnsupportedPyVersion'; readonly subject: string; readonly pyVersion: string | undefined; readonly supported: ReadonlyArray<string> }
  | { readonly _tag: 'UnsupportedProcessor'; readonly subject: string; readonly instanceType: string; readonly processor: string; readonly supported: ReadonlyArray<string> }
  | { readonly _tag: 'UnsupportedInstanceType'; readonly subject: string; readonly instanceType: string; readonly reason: string; readonly supported: ReadonlyArray<string> }

const shown = (u: unknown): string => (u === undefined ? '(none)' : typeof u === 'string' ? u : JSON.stringify(u) ?? String(u))

/** What was expected (with the full list of choices) and what was found. */
export const describeImageError = (e: ImageError): { readonly expected: string; readonly actual: string } => {
  const oneOf = (what: string): string => `${what}, one of: ${e.supported.join(', ')}`
  switch (e._tag) {
    case 'RegionRequired':
      return { expected: oneOf('a concrete AWS region'), actual: '(none)' }
    case 'UnsupportedRegion':
      return { expected: oneOf(`a region with ${e.subject} images`), actual: e.region }
    case 'UnsupportedFramework':
      return { expected: oneOf('a framework'), actual: shown(e.framework) }
    case 'UnsupportedAlgorithm':
      return { expected: oneOf('an Amazon algorithm'), actual: shown(e.algorithm) }
    case 'UnsupportedScope':
      return { expected: oneOf(`a scope ${e.subject} has images for`), actual: shown(e.scope) }
    case 'UnsupportedToolkit':
      return { expected: oneOf('an RL toolkit'), actual: shown(e.toolkit) }
    case 'UnsupportedBaseFramework':
      return { expected: oneOf(`a base framework for ${e.subject}`), actual: shown(e.baseFramework) }
    case 'UnsupportedVersion':
      return { expected: oneOf(`a ${e.subject} version`), actual: shown(e.version) }
    case 'UnsupportedPyVersion':
      return { expected: oneOf(`a Python version for ${e.subject}`), actual: shown(e.pyVersion) }
    case 'UnsupportedProcessor':
      return { expected: oneOf(`a processor ${e.subject} has images for`), actual: `${e.processor} (${e.instanceType})` }
    case 'UnsupportedInstanceType':
      return { expected: oneOf(`an instance type for ${e.subject}`), actual: `${e.instanceType} (${e.reason})` }
  }
}

/** One line: `expected …, found …`. */
export const imageErrorMessage = (e: ImageError): string => {
  const d = describeImageError(e)
  return `${e._tag}: expected ${d.expected}; found ${d.actual}`
}

// ---------------------------------------------------------------------------
// Instance types

/**
 * The v1.18 device rule: `local` is cpu, any other `local*` (e.g. `local_gpu`)
 * is gpu, and an `ml.<family>.<size>` type is gpu when the family starts with
 * `g` or `p`. Total by design (anything else is cpu); `frameworkImage`
 * validates instance types and also refuses Inferentia, Trainium and Graviton
 * families, for which these tables hold no images.
 */
export const processorOf = (instanceType: string): Processor => {
  if (instanceType.startsWith('local')) return instanceType === 'local' ? 'cpu' : 'gpu'
  const family = instanceType.split('.')[1] ?? ''
  return family.startsWith('g') || family.startsWith('p') ? 'gpu' : 'cpu'
}

const INSTANCE_FORMS = ['ml.<family>.<size>', 'local', 'local_gpu'] as const
const INSTANCE_TYPE = /^ml\.([a-z][a-z0-9-]*)\.([a-z0-9-]+)$/
// Graviton families put `g` right after the generation digit: m6g, c6gn, r7gd, g5g.
const GRAVITON = /^[a-z]+\d+g[a-z]*$/

type Device =
  | { readonly kind: 'ok'; readonly processor: Processor; readonly family: string | undefined }
  | { readonly kind: 'other'; readonly processor: string }

const deviceOf = (subject: string, instanceType: string): Either<ImageError, Device> => {
  if (instanceType === 'local') return E.right({ kind: 'ok', processor: 'cpu', family: undefined })
  if (instanceType === 'local_gpu') return E.right({ kind: 'ok', processor: 'gpu', family: undefined })
  const m = INSTANCE_TYPE.exec(instanceType)
  const family = m?.[1]
  if (family === undefined) {
    return E.left({
      _tag: 'UnsupportedInstanceType',
      subject,
      instanceType,
      reason: 'not an instance type',
      supported: INSTANCE_FORMS,
    })
  }
  if (family.startsWith('inf')) return E.right({ kind: 'other', processor: 'inf' })
  if (family.startsWith('trn')) return E.right({ kind: 'other', processor: 'trn' })
  if (GRAVITON.test(family)) return E.right({ kind: 'other', processor: 'arm64' })
  return E.right({ kind: 'ok', processor: processorOf(instanceType), family })
}

// ---------------------------------------------------------------------------
// Lookups

export interface ImageRequest {
  readonly framework: Framework
  /**
   * Framework version, full (`2.1.0`) or short alias (`2.1`). Hugging Face: the
   * transformers version. RL: the toolkit version (or pass `toolkitVersion`).
   */
  readonly version?: string
  /** Needed only when the version offers more than one (e.g. py2/py3 on v1-era images). */
  readonly pyVersion?: string
  readonly instanceType: string
  /** `undefined` stands for "not known yet" and yields `RegionRequired`. */
  readonly region: string | undefined
  readonly scope: Scope
  /** RL only. */
  readonly toolkit?: RlToolkit
  /** RL only; takes precedence over `version`. */
  readonly toolkitVersion?: string
  /**
   * Hugging Face: `pytorch2.1.0` / `pytorch2.1` / `tensorflow2.6.3` (optional when
   * the transformers version has a single base). RL: `tensorflow` or `mxnet`.
   */
  readonly baseFramework?: string
  /** TensorFlow 1.11/1.12 training with py2: `true` picks script mode over v1.18 legacy mode. */
  readonly scriptMode?: boolean
}

const isOneOf = <T extends string>(xs: ReadonlyArray<T>, u: unknown): u is T => typeof u === 'string' && (xs as ReadonlyArray<string>).includes(u)

const lineKeyOf = (req: ImageRequest): Either<ImageError, LineKey> => {
  if (!isOneOf(FRAMEWORKS, req.framework)) return E.left({ _tag: 'UnsupportedFramework', framework: req.framework, supported: FRAMEWORKS })
  if (req.framework !== 'rl') return E.right(req.framework)
  const toolkits = Object.keys(RL_LINES) as RlToolkit[]
  if (!isOneOf(toolkits, req.toolkit)) return E.left({ _tag: 'UnsupportedToolkit', toolkit: req.toolkit, supported: toolkits })
  const bases = RL_LINES[req.toolkit]
  const key = isOneOf(Object.keys(bases), req.baseFramework) ? bases[req.baseFramework as RlBaseFramework] : undefined
  return key === undefined
    ? E.left({ _tag: 'UnsupportedBaseFramework', subject: `rl ${req.toolkit}`, baseFramework: req.baseFramework, supported: Object.keys(bases) })
    : E.right(key)
}

const fullVersions = (line: ImageLine): ReadonlyArray<string> => [...new Set(line.versions.map((v) => v.version))]

const resolveVersion = (subject: string, line: ImageLine, requested: string | undefined): Either<ImageError, string> => {
  const full = fullVersions(line)
  if (requested !== undefined && full.includes(requested)) return E.right(requested)
  const aliased = requested === undefined ? undefined : line.aliases[requested]
  return aliased !== undefined
    ? E.right(aliased)
    : E.left({ _tag: 'UnsupportedVersion', subject, version: requested, supported: [...full, ...Object.keys(line.aliases)] })
}

/** Hugging Face: pick the base framework entry; `pytorch2.1` matches `pytorch2.1.x`. */
const pickEntry = (
  subject: string,
  candidates: ReadonlyArray<ImageVersion>,
  baseFramework: string | undefined,
): Either<ImageError, ImageVersion> => {
  const only = candidates.length === 1 ? candidates[0] : undefined
  if (candidates.every((c) => c.base === undefined) && only !== undefined) return E.right(only)
  if (baseFramework === undefined && only !== undefined) return E.right(only)
  const short = (base: string): string => base.split('.').slice(0, 2).join('.')
  const hit = candidates.find((c) => c.base !== undefined && (c.base === baseFramework || short(c.base) === baseFramework))
  return hit !== undefined
    ? E.right(hit)
    : E.left({
        _tag: 'UnsupportedBaseFramework',
        subject,
        baseFramework,
        supported: candidates.flatMap((c) => (c.base === undefined ? [] : [c.base, short(c.base)])),
      })
}

/** `undefined` when the tag carries no py part. */
const resolvePy = (subject: string, entry: ImageVersion, requested: string | undefined): Either<ImageError, string | undefined> => {
  // Like the SDK, a py version is ignored where the image has none in its tag.
  if (entry.py.length === 0) return E.right(undefined)
  if (requested === undefined && entry.py.length === 1) return E.right(entry.py[0])
  return requested !== undefined && entry.py.includes(requested)
    ? E.right(requested)
    : E.left({ _tag: 'UnsupportedPyVersion', subject, pyVersion: requested, supported: entry.py })
}

const regionsOf = (registry: RegistryName): ReadonlyArray<Region> => {
  const accounts: Registry = REGISTRIES[registry]
  return REGIONS.filter((r) => accounts[r] !== undefined)
}

const registryAccount = (subject: string, registry: RegistryName, region: string): Either<ImageError, string> => {
  const accounts: Registry = REGISTRIES[registry]
  const account = isOneOf(REGIONS, region) ? accounts[region] : undefined
  return account !== undefined
    ? E.right(account)
    : E.left({ _tag: 'UnsupportedRegion', subject, region, supported: regionsOf(registry) })
}

const domainOf = (region: string): string => (region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com')

const uri = (account: string, region: string, repository: string, tag: string): string =>
  `${account}.dkr.ecr.${region}.${domainOf(region)}/${repository}:${tag}`

/** Numeric-aware comparison of versions such as `1.13.1`, `0.90-2`, `2.16`. */
export const compareVersions = (a: string, b: string): number => {
  const pa = a.split(/[.-]/)
  const pb = b.split(/[.-]/)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0'
    const y = pb[i] ?? '0'
    const d = /^\d+$/.test(x) && /^\d+$/.test(y) ? Number(x) - Number(y) : x.localeCompare(y)
    if (d !== 0) return d
  }
  return 0
}

const retiresP2 = (key: LineKey, version: string): boolean => {
  const from = P2_RETIRED_FROM[key]
  return from !== undefined && compareVersions(version, from) >= 0
}

/** The ECR image for a framework estimator (`scope: 'training'`) or model (`scope: 'inference'`). */
export const frameworkImage = (req: ImageRequest): Either<ImageError, string> => {
  if (req.region === undefined) return E.left({ _tag: 'RegionRequired', supported: REGIONS })
  return lookup(req, req.region)
}

const lookup = (req: ImageRequest, region: string): Either<ImageError, string> => {
  const keyE = lineKeyOf(req)
  if (E.isLeft(keyE)) return keyE
  const key = keyE.right
  const lines = FRAMEWORK_IMAGES[key]
  const line = isOneOf(['training', 'inference'] as const, req.scope) ? lines[req.scope] : undefined
  if (line === undefined) {
    return E.left({ _tag: 'UnsupportedScope', subject: key, scope: req.scope, supported: Object.keys(lines) })
  }
  const subject = `${key} ${req.scope}`
  const requested = req.framework === 'rl' ? (req.toolkitVersion ?? req.version) : req.version
  const versionE = resolveVersion(subject, line, requested)
  if (E.isLeft(versionE)) return versionE
  const version = versionE.right
  const entryE = pickEntry(`${subject} ${version}`, line.versions.filter((v) => v.version === version), req.framework === 'rl' ? undefined : req.baseFramework)
  if (E.isLeft(entryE)) return entryE
  const entry = entryE.right
  const what = `${subject} ${version}${entry.base === undefined ? '' : ` (${entry.base})`}`
  const pyE = resolvePy(what, entry, req.pyVersion)
  if (E.isLeft(pyE)) return pyE
  const accountE = registryAccount(what, entry.registry, region)
  if (E.isLeft(accountE)) return accountE
  const deviceE = deviceOf(what, req.instanceType)
  if (E.isLeft(deviceE)) return deviceE
  const device = deviceE.right
  const offered = entry.processors.length === 0 ? CPU_GPU : entry.processors
  if (device.kind === 'other' || !offered.includes(device.processor)) {
    return E.left({ _tag: 'UnsupportedProcessor', subject: what, instanceType: req.instanceType, processor: device.processor, supported: offered })
  }
  if (device.family === 'p2' && retiresP2(key, version)) {
    return E.left({
      _tag: 'UnsupportedInstanceType',
      subject: what,
      instanceType: req.instanceType,
      reason: `P2 instances are retired from ${key} ${P2_RETIRED_FROM[key] ?? ''} on`,
      supported: ['ml.<family>.<size> with a family other than p2', 'local', 'local_gpu'],
    })
  }
  const processor = entry.processors.length === 0 ? undefined : device.processor
  const py = pyE.right
  const repository = py === 'py2' && req.scriptMode !== true && entry.legacyPy2Repository !== undefined ? entry.legacyPy2Repository : entry.repository
  const tag = [entry.tagPrefix ?? entry.version, processor, py, processor === undefined ? undefined : entry.tagSuffix?.[processor]]
    .filter((p): p is string => p !== undefined && p !== '')
    .join('-')
  return E.right(uri(accountE.right, region, repository, tag))
}

/** The ECR image for an Amazon built-in algorithm: `{account}.dkr.ecr.{region}.{domain}/{algorithm}:1`. */
export const algorithmImage = (algorithm: Algorithm, region: string | undefined): Either<ImageError, string> => {
  if (!isOneOf(ALGORITHMS, algorithm)) return E.left({ _tag: 'UnsupportedAlgorithm', algorithm, supported: ALGORITHMS })
  if (region === undefined) return E.left({ _tag: 'RegionRequired', supported: REGIONS })
  const { repository, registry } = ALGORITHM_IMAGES[algorithm]
  return E.map((account: string) => uri(account, region, repository, '1'))(registryAccount(algorithm, registry, region))
}

const linesOf = (framework: Framework, toolkit?: RlToolkit, baseFramework?: RlBaseFramework): ReadonlyArray<LineKey> => {
  if (framework !== 'rl') return [framework]
  const toolkits = toolkit === undefined ? (Object.keys(RL_LINES) as RlToolkit[]) : [toolkit]
  return toolkits.flatMap((t) =>
    Object.entries(RL_LINES[t])
      .filter(([b]) => baseFramework === undefined || b === baseFramework)
      .map(([, k]) => k),
  )
}

/**
 * Full versions the table holds for a framework (both scopes unless one is
 * given), oldest first. Hugging Face: transformers versions. RL: toolkit
 * versions, narrowed by toolkit / base framework when given.
 */
export const supported = (
  framework: Framework,
  options: { readonly scope?: Scope; readonly toolkit?: RlToolkit; readonly baseFramework?: RlBaseFramework } = {},
): ReadonlyArray<string> => {
  const versions = linesOf(framework, options.toolkit, options.baseFramework).flatMap((k) =>
    (['training', 'inference'] as const)
      .filter((s) => options.scope === undefined || options.scope === s)
      .flatMap((s) => {
        const line = FRAMEWORK_IMAGES[k][s]
        return line === undefined ? [] : fullVersions(line)
      }),
  )
  return [...new Set(versions)].sort(compareVersions)
}

/** One combination the table claims to serve (processor `undefined`: one image for CPU and GPU). */
export interface TableCombination {
  readonly request: Omit<ImageRequest, 'instanceType'>
  readonly processor: Processor | undefined
}

/** Every (framework, scope, version, base, py, processor, region) the table claims; for tests and planners. */
export const tableCombinations = (): ReadonlyArray<TableCombination> =>
  (Object.keys(FRAMEWORK_IMAGES) as LineKey[]).flatMap((key) => {
    const rlPair = (Object.entries(RL_LINES) as [RlToolkit, Partial<Record<RlBaseFramework, LineKey>>][])
      .flatMap(([toolkit, bases]) => Object.entries(bases).filter(([, k]) => k === key).map(([base]) => ({ toolkit, base })))[0]
    return (['training', 'inference'] as const).flatMap((scope) => {
      const line = FRAMEWORK_IMAGES[key][scope]
      if (line === undefined) return []
      return line.versions.flatMap((entry) =>
        (entry.py.length === 0 ? [undefined] : entry.py).flatMap((pyVersion) =>
          (entry.processors.length === 0 ? [undefined] : entry.processors).flatMap((processor) =>
            regionsOf(entry.registry).map(
              (region): TableCombination => ({
                processor,
                request:
                  rlPair === undefined
                    ? {
                        framework: key as Exclude<LineKey, 'coach-tensorflow' | 'coach-mxnet' | 'ray-tensorflow'>,
                        version: entry.version,
                        region,
                        scope,
                        ...(pyVersion === undefined ? {} : { pyVersion }),
                        ...(entry.base === undefined ? {} : { baseFramework: entry.base }),
                      }
                    : {
                        framework: 'rl',
                        toolkit: rlPair.toolkit,
                        baseFramework: rlPair.base,
                        toolkitVersion: entry.version,
                        region,
                        scope,
                        ...(pyVersion === undefined ? {} : { pyVersion }),
                      },
              }),
            ),
          ),
        ),
      )
    })
  })
