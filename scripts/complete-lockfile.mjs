// Completes package-lock.json so `npm ci` accepts it everywhere. Run after every `npm install`:
//   npm run lockfile
// Why: the registry this project's machines reach serves only the linux builds of platform-specific packages
// (@esbuild/darwin-x64, @rollup/rollup-win32-*, @biomejs/cli-darwin-* answer 404). npm 11 therefore leaves them
// out of the lockfile, but its own `npm ci` still requires an entry for every optional dependency a package
// names, and refuses the lockfile ("Missing: @rollup/rollup-darwin-x64@4.x from lock file"). The entries this
// adds carry the version the parent pins and the os/cpu/libc read from the package name; npm skips them on this
// platform (they never match), so nothing is fetched for them.
import { readFile, writeFile } from 'node:fs/promises';

const OS = ['aix', 'android', 'darwin', 'freebsd', 'linux', 'netbsd', 'openbsd', 'openharmony', 'sunos', 'win32'];
const CPU = ['arm', 'arm64', 'ia32', 'loong64', 'mips64el', 'ppc64', 'riscv64', 's390x', 'x64'];

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(await readFile(path, 'utf8'));
const packages = lock.packages;
let added = 0;
for (const meta of Object.values({ ...packages })) {
  for (const [name, version] of Object.entries(meta.optionalDependencies ?? {})) {
    if (packages[`node_modules/${name}`]) continue;
    const parts = name.split('/').pop().split('-');
    const os = parts.find((p) => OS.includes(p));
    const cpu = parts.find((p) => CPU.includes(p));
    const libc = parts.some((p) => p.startsWith('musl')) ? 'musl' : parts.includes('gnu') ? 'glibc' : undefined;
    packages[`node_modules/${name}`] = {
      version,
      ...(cpu ? { cpu: [cpu] } : {}),
      ...(meta.dev ? { dev: true } : {}),
      ...(libc ? { libc: [libc] } : {}),
      optional: true,
      ...(os ? { os: [os] } : {}),
    };
    added += 1;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)),
);
await writeFile(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} platform entries added`);
