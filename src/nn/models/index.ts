// createModel: the one entry point from a config to a trainable model.

import type { ModelConfig } from '../config.js';
import type { ModelOptions, SequenceModel } from '../model.js';
import { AttentionModel } from './attention.js';
import { RecurrentModel } from './recurrent.js';
import { TokenMlpModel } from './tokenMlp.js';

/** Builds a model of any of the five kinds; parameters are initialised from `options.seed`. */
export function createModel(config: ModelConfig, options?: ModelOptions): SequenceModel {
  switch (config?.kind) {
    case 'rnn':
    case 'gru':
      return new RecurrentModel(config, options);
    case 'mlp':
    case 'weighted-mlp':
      return new TokenMlpModel(config, options);
    case 'attention':
      return new AttentionModel(config, options);
    default:
      // resolveConfig names the valid kinds
      return new TokenMlpModel(config as never, options);
  }
}
