// Re-exports only: every differentiable op.
export * from './elementwise.js';
export * from './matmul.js';
export * from './reduce.js';
export * from './shape.js';
export * from './softmax.js';
export * from './loss.js';
export * from './dropout.js';
export * from './spmm.js';
