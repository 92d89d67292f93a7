/** The part of ml-cart (mljs decision trees, ml-random-forest's estimators) the route model touches; it ships no types. */
declare module 'ml-cart' {
  export class DecisionTreeRegression {
    constructor(options?: { maxDepth?: number; minNumSamples?: number });
    train(trainingSet: number[][], trainingValues: number[]): void;
  }
}
