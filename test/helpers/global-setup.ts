// Integration tests run the built server (dist/). scripts/test.sh builds (strictly)
// before vitest; a bare `npx vitest` builds here so it never tests stale JavaScript.
// Here type errors are reported but do not stop the run: tsc still emits, and a
// type error in a file the test does not load should not block it.
import { spawnSync } from 'node:child_process';
import { ROOT } from './server.js';

export default function setup(): void {
  if (process.env.SWITCHBOARD_TEST_SKIP_BUILD === '1') return;
  const r = spawnSync(process.execPath, [`${ROOT}/node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) process.stderr.write(`[global-setup] tsc reported errors (JavaScript emitted anyway):\n${r.stdout}${r.stderr}\n`);
}
