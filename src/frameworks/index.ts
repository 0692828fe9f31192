/**
 * Framework presets: pure functions that return training, tuning and model steps for the SageMaker
 * framework containers (PyTorch, TensorFlow, MXNet, Chainer, scikit-learn, XGBoost, Hugging Face, RL,
 * SparkML Serving), plus the prediction formats their endpoints speak.
 *
 * @since 0.1.0
 */
export { pytorch, pytorchModel, type PyTorchOptions, type PyTorchModelOptions } from './pytorch.js'
export { tensorflow, tensorflowServingModel, TFS_LOG_LEVELS, type TensorFlowOptions, type TensorFlowServingOptions } from './tensorflow.js'
export { mxnet, mxnetModel, type MXNetOptions, type MXNetModelOptions } from './mxnet.js'
export { chainer, chainerModel, type ChainerOptions, type ChainerModelOptions } from './chainer.js'
export { sklearn, sklearnModel, type SKLearnOptions, type SKLearnModelOptions } from './sklearn.js'
export { xgboost, xgboostModel, type XGBoostOptions, type XGBoostModelOptions } from './xgboost.js'
export { huggingface, huggingfaceModel, type HuggingFaceOptions, type HuggingFaceModelOptions } from './huggingface.js'
export { rl, RL_METRICS, RL_SERVING_VERSIONS, type RLOptions } from './rl.js'
export { sparkmlModel, type SparkMLModelOptions, type SparkMLSchema, type SparkMLColumn } from './sparkml.js'
export { pipelineModel, type PipelineModelOptions } from './pipeline-model.js'
export { modelFromTraining, modelFromTuning, type FromTrainingOptions } from './from-training.js'
export { transformer, type TransformerOptions, type Transformer } from './transformer.js'
export { frameworkTuning, ESTIMATOR_CLASSES, type FrameworkTuningOptions } from './tuning.js'
export { DISTRIBUTION_SUPPORT, type Distribution, type Launcher } from './distribution.js'
export {
  FRAMEWORK_NAMES,
  scriptModel,
  type FrameworkName,
  type FrameworkTrainingOptions,
  type ScriptModelOptions,
  type ServingOptions,
  type CodeOptions,
  type PresetError,
} from './script-mode.js'
export * from './serializers.js'
export { encodeNpy, decodeNpy, ndarray, fromRows, toRows, type NdArray, type DType, type NpyError } from './npy.js'
export { frameworkImage, algorithmImage, supported, describeImageError, type ImageError, type Processor } from './images.js'
