// Mixtures of experts: conditional models p(y | x) = sum_k p(k | x) f_k(y | x) (docs/experts.md).
export { moeFamily } from './family.js';
export { modelOf, eStep, logGate, type MoeModel } from './model.js';
export { mStep, emLearner, initialResponsibilities } from './em.js';
export { gather, type MoeData } from './data.js';
export { specOf, MOE_NAME, P as MOE_PARAMS } from './spec.js';
export { softmaxLogGate, softmaxMStep, softmaxObjective, type SoftmaxGate } from './gate-softmax.js';
export { mixtureAt, mixtureMean, mixtureVariance, mixtureQuantile, mixtureLogDensity } from './predictive.js';
export { predictiveMode } from './answer.js';
export { chol, cholJitter, cholSolve, logDet, logSumExp, LOG_2PI } from './linalg.js';
