// Integration tests run the built server (dist/). scripts/test.sh builds before
// vitest; a bare `npx vitest` builds here so it never tests stale JavaScript.
import { execFileSync } from 'node:child_process';
import { ROOT } from './server.js';

export default function setup(): void {
  if (process.env.SWITCHBOARD_TEST_SKIP_BUILD === '1') return;
  execFileSync(process.execPath, [`${ROOT}/node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}
