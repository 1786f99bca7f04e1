// One line of documentation per training setting, for hover and completion. The list of
// settings itself is the compiler's (TRAIN_SETTINGS); a test checks the two have the same keys.
export const SETTING_DOCS: Record<string, string> = {
  optimizer: "the optimizer and its hyperparameters: `optimizer adam(lr: 0.01)`",
  epochs: "passes over the data (default 100)",
  batch: "rows per training step (default 32)",
  seed: "seeds weight initialization, shuffling and dropout (default 0)",
  schedule: "learning-rate schedule by epoch: `step(every, gamma)`, `exponential(gamma)`, `cosine(min)`",
  warmup: "multiply the scheduled rate by min(1, epoch/N): linear warm-up over N epochs",
  clip_norm: "scale all gradients so their global L2 norm is at most this (PyTorch's clip_grad_norm_)",
  freeze: "do not train these parameters: exact names (`h1.W`) or prefixes (`h1`)",
  param_lr: "this parameter's own learning rate: `param_lr h1.W, 0.001` (the most specific name wins)",
  precision: "element type of the generated module's arrays: `f64` (default) or `f32` (Float32Array throughout)",
};

/** The tune block's settings, for hover (the compiler's TUNE_SETTINGS; a test checks the keys). */
export const TUNE_SETTING_DOCS: Record<string, string> = {
  trials: "configurations netc tune samples (default 20; `netc tune --trials N` overrides it)",
  metric: "what ranks the trials: `val_loss` (default) or `val_acc` (classifiers), on the validation split",
};

/** The distributions a hyperparameter draws from (the compiler's DISTRIBUTIONS; a test checks the keys). */
export const DISTRIBUTION_DOCS: Record<string, string> = {
  choice: "one of the listed values, each equally likely; outside a search the first",
  uniform: "a number uniform in [lo, hi]; outside a search the middle",
  loguniform: "a number whose logarithm is uniform in [log lo, log hi] (for rates); outside a search the geometric middle",
  int: "a whole number uniform in [lo, hi]; outside a search the middle, rounded down",
};
