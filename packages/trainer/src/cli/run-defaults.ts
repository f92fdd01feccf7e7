/** The defaults of a first `trainer run`: a ReLU network with softmax outputs that passes 97% on MNIST in seconds. */
export const RUN_DEFAULTS = { hidden: [128], activation: 'relu', loss: 'softmax', init: 'he', lr: 0.05, epochs: 4 } as const;
