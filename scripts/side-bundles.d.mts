/** How every bundle of a code package is built: minified CommonJS for node20 (esbuild options). */
export const NODE20_BUNDLE: {
  readonly bundle: true;
  readonly platform: 'node';
  readonly target: 'node20';
  readonly format: 'cjs';
  readonly minify: true;
  readonly legalComments: 'none';
};
/** The packages shipped as side bundles, each only required by a lazily evaluated module. */
export const SIDE_BUNDLED: readonly string[];
/** Build `pkg` (resolved from `root`) into `<codeDir>/node_modules/<pkg>/index.js`; its size in bytes. */
export function buildSideBundle(root: string, codeDir: string, pkg: string): Promise<number>;
/**
 * Replace the shipped `pkg` in `<codeDir>/node_modules` by one file bundling it, the files of `besides` (paths
 * inside the package) left where they were, outside it; its size in bytes.
 */
export function bundleShippedPackage(codeDir: string, pkg: string, besides?: readonly string[]): Promise<number>;
