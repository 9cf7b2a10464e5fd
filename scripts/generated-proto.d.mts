/** The generated module, inside the tablestore package. */
export const GENERATED_PROTO: string;
/** The generated static methods removed from every message. */
export const UNCALLED_METHODS: readonly string[];
/** The generated module without the uncalled methods, comments and whitespace; how many methods went. */
export function trimGeneratedProto(source: string): Promise<{ code: string; removed: number }>;
/** The Tablestore operations dts-trust calls (TABLESTORE_ACTIONS without `ots:`). */
export const USED_OPERATIONS: readonly string[];
/** The file beside the generated module that holds the types none of the used operations reads. */
export const REST_FILE: string;
/** The types (`namespace.Name`) that stay in the generated module for `operations`. */
export function keptTypes(source: string, operations?: readonly string[]): Set<string>;
/**
 * The generated module with each namespace's types made on first read, those not `kept` (when given) moved to
 * the `rest` module; how many types became lazy and how many moved.
 */
export function lazyTypes(
  source: string,
  kept?: ReadonlySet<string>,
): { code: string; rest: string | undefined; types: number; moved: number };
/** Files of the SDK other than the generated module that name an uncalled method. */
export function callersOfUncalledMethods(packageDir: string): Promise<string[]>;
/**
 * Trim the generated module of the tablestore package shipped in `codeDir`, make its types lazy and move those
 * the used operations never read to the file beside it.
 */
export function trimShippedProto(codeDir: string): Promise<{
  before: number;
  after: number;
  restBytes: number;
  removed: number;
  lazyTypes: number;
  movedTypes: number;
}>;
