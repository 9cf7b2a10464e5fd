import type { Plugin } from 'esbuild';
/** The source of a lazy index of `pkg` over its modules (paths inside the package). */
export function lazyIndexSource(root: string, pkg: string, modules: readonly string[]): string;
/** Packages whose index is bundled lazily, with the modules that index re-exports. */
export const LAZY_INDEXES: Record<string, readonly string[]>;
/** The esbuild plugin: an import of exactly one of the lazy indexes gets its lazy index. */
export function lazyIndexPlugin(root: string, indexes?: Record<string, readonly string[]>): Plugin;
