// The little of brain.js 1.6 and convnetjs 0.3 that the bench touches (neither ships types).
declare module "brain.js" {
  export class NeuralNetwork {
    constructor(options?: Record<string, unknown>);
    sizes: number[];
    trainOpts: { learningRate: number; momentum: number };
    outputLayer: number;
    weights: number[][][]; // weights[layer][node][input]
    biases: number[][];
    outputs: number[][];
    errors: number[][];
    initialize(): void;
    runInput(input: ArrayLike<number>): number[];
    calculateDeltas(target: ArrayLike<number>): void;
    adjustWeights(): void;
  }
  const brain: { NeuralNetwork: typeof NeuralNetwork };
  export default brain;
}

declare module "convnetjs" {
  export class Vol {
    constructor(sx: number, sy: number, depth: number, c?: number);
    w: Float64Array;
  }
  export interface ConvLayer {
    layer_type: string;
    filters: Vol[];
    biases: Vol;
  }
  export class Net {
    layers: ConvLayer[];
    makeLayers(defs: Record<string, unknown>[]): void;
    forward(v: Vol, isTraining?: boolean): Vol;
  }
  export class Trainer {
    constructor(net: Net, options: Record<string, unknown>);
    train(x: Vol, y: number): { cost_loss: number };
  }
  const convnetjs: { Vol: typeof Vol; Net: typeof Net; Trainer: typeof Trainer };
  export default convnetjs;
}
