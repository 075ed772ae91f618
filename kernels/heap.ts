/** First byte past the module's static data: the JS allocator starts above it. */
export function heap_base(): usize {
  return __heap_base;
}
