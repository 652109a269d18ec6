// The V8 settings a zerotouch server runs with. Its live heap is small and bounded (caches
// have fixed sizes; read models live in the store), but a busy server allocates fast and
// V8 would grow the heap far beyond what is live before collecting: a ceiling keeps the
// process near its working set. ZT_MAX_HEAP_MB raises it for unusual loads.
export function serverNodeFlags(env = process.env) {
  const heapMb = Number(env.ZT_MAX_HEAP_MB ?? 160);
  if (!Number.isInteger(heapMb) || heapMb < 64) throw new Error(`ZT_MAX_HEAP_MB must be a whole number of megabytes >= 64, got ${env.ZT_MAX_HEAP_MB}`);
  return [`--max-old-space-size=${heapMb}`, '--max-semi-space-size=8'];
}

// `audit` reads every stored event once and makes a few short-lived strings of each: a
// young generation of 32 MB instead of V8's 16 lets most of them die unscavenged (about a
// fifth faster `audit verify` here, docs/benchmarks.md). The heap is otherwise as V8 sets it.
export function auditNodeFlags() {
  return ['--max-semi-space-size=32'];
}
