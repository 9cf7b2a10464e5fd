/** The generated module, inside the tablestore package. */
export const GENERATED_PROTO: string;
/** The generated static methods removed from every message. */
export const UNCALLED_METHODS: readonly string[];
/** The generated module without the uncalled methods, comments and whitespace; how many methods went. */
export function trimGeneratedProto(source: string): Promise<{ code: string; removed: number }>;
/** The generated module with each namespace's types made on first read; how many types became lazy. */
export function lazyTypes(source: string): { code: string; types: number };
/** Files of the SDK other than the generated module that name an uncalled method. */
export function callersOfUncalledMethods(packageDir: string): Promise<string[]>;
/** Trim the generated module of the tablestore package shipped in `codeDir` and make its types lazy. */
export function trimShippedProto(
  codeDir: string,
): Promise<{ before: number; after: number; removed: number; lazyTypes: number }>;
