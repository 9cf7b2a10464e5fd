// The production dependency closure of a package, read from package-lock.json (lockfile v2/v3 `packages` map),
// and copying that closure into a function's code package (dist/<name>/node_modules), so a package kept outside
// the esbuild bundle ships with the function exactly as npm installed it.
import { cp, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** Packages with declarations only: never loaded at run time, so never shipped. */
const TYPES_ONLY = /^@types\//;

/** The lock-file key (`node_modules/a/node_modules/b`) a dependency `name` resolves to from package key `from`. */
function resolveKey(packages, from, name) {
  let base = from;
  for (;;) {
    const key = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[key]) return key;
    if (!base) return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

/** The name of the package at a lock-file key (`node_modules/@scope/x/node_modules/y` -> `y`). */
export function packageNameOf(key) {
  return key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

/**
 * Lock-file keys of `roots` and of everything they need at run time (dependencies and installed optional
 * dependencies, transitively), in a stable order. Throws when a needed package is not installed.
 */
export function productionClosure(lock, roots) {
  const packages = lock.packages ?? {};
  const found = new Set();
  const visit = (from, name, optional) => {
    if (TYPES_ONLY.test(name)) return;
    const key = resolveKey(packages, from, name);
    if (!key) {
      if (optional) return;
      throw new Error(`${name} (needed by ${from || 'the project'}) is not in package-lock.json; run npm ci`);
    }
    if (found.has(key)) return;
    found.add(key);
    const entry = packages[key];
    for (const dep of Object.keys(entry.dependencies ?? {})) visit(key, dep, false);
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) visit(key, dep, true);
  };
  for (const root of roots) visit('', root, false);
  return [...found].sort();
}

/**
 * Copy the production closure of `roots` from `<projectRoot>/<key>` to `<codeDir>/<key>` for each lock-file key,
 * leaving out each package's own nested node_modules (those that are needed are in the closure themselves).
 * Returns the names of the packages shipped.
 */
export async function shipPackages(projectRoot, codeDir, roots) {
  if (roots.length === 0) return [];
  const lock = JSON.parse(await readFile(path.join(projectRoot, 'package-lock.json'), 'utf8'));
  const keys = productionClosure(lock, roots);
  for (const key of keys) {
    const from = path.join(projectRoot, key);
    const to = path.join(codeDir, key);
    await mkdir(to, { recursive: true });
    await cp(from, to, {
      recursive: true,
      filter: (source) => !path.relative(from, source).split(path.sep).includes('node_modules'),
    });
  }
  return keys.map(packageNameOf);
}
