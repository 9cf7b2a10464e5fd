/**
 * A value built by `build` on the first call and handed out from then on: for the zod schemas of modules that most
 * invocations never parse with (DTS, KMS, the Tencent adapters), so a cold start does not build them. A schema the
 * first invocation of a function parses with stays a module constant: deferring it would only move its cost out of
 * the measured load (docs/benchmarks.md, "Cold start, fifth round").
 */
export function builtOnFirstUse<T>(build: () => T): () => T {
  let built: { readonly value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
