/** The name of the package at a lock-file key (`node_modules/@scope/x/node_modules/y` -> `y`). */
export function packageNameOf(key: string): string;
/** Lock-file keys of `roots` and of everything they need at run time, in a stable order. */
export function productionClosure(lock: { packages?: Record<string, unknown> }, roots: readonly string[]): string[];
/** Copy the production closure of `roots` into `<codeDir>/node_modules`; the names of the packages shipped. */
export function shipPackages(projectRoot: string, codeDir: string, roots: readonly string[]): Promise<string[]>;
