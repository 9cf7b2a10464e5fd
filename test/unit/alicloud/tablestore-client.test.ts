import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLIENT = new URL('../../../shared/alicloud/tablestore/client.ts', import.meta.url).href;
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** In a fresh process: the warnings a `new Buffer()` outside node_modules gives, after `before` ran. */
function bufferWarnings(before: string): { codes: string[]; noDeprecation: unknown } {
  const script =
    `import { endBufferDeprecationChecks } from ${JSON.stringify(CLIENT)};` +
    `const codes = []; process.on('warning', (w) => codes.push(w.code)); ${before};` +
    'new Buffer(1);' +
    'setImmediate(() => console.log(JSON.stringify({ codes, noDeprecation: process.noDeprecation ?? false })));';
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop() ?? '{}');
}

describe('endBufferDeprecationChecks', () => {
  it("gives Node's one Buffer() warning silenced, so Node stops checking each new Buffer the SDK makes", () => {
    expect(bufferWarnings('').codes).toEqual(['DEP0005']);
    // Other deprecation warnings stay on: process.noDeprecation is restored at once.
    const after = bufferWarnings(
      "endBufferDeprecationChecks(); process.emitWarning('old', 'DeprecationWarning', 'X1')",
    );
    expect(after).toEqual({ codes: ['X1'], noDeprecation: false });
  });
});
