// The lint rule that enforces the layer boundaries really rejects a forbidden import
// (and accepts an allowed one), so the architecture cannot erode silently.
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import path from 'node:path';
import { ROOT } from './helpers/server.js';

const eslint = new ESLint({ cwd: ROOT });

async function lint(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer import rules', () => {
  it.each([
    ['sip/x.ts', "import { a } from '../media/rtp.js';\nexport const b = a;\n"],
    ['media/x.ts', "import { a } from '../sip/ua.js';\nexport const b = a;\n"],
    ['store/x.ts', "import { a } from '../voice/call.js';\nexport const b = a;\n"],
    ['sip/deep/x.ts', "import { a } from '../../control-api/app.js';\nexport const b = a;\n"],
    ['voice/x.ts', "import { a } from '../app/config.js';\nexport const b = a;\n"],
    ['ivr-runtime/x.ts', "import { a } from '../voice/call.js';\nexport const b = a;\n"],
    ['control-api/x.ts', "import { a } from '../sip/ua.js';\nexport const b = a;\n"],
  ])('%s: a forbidden import is an error', async (file, code) => {
    const msgs = await lint(file, code);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatch(/must not import/);
  });

  it.each([
    ['voice/x.ts', "import { a } from '../sip/ua.js';\nimport { c } from '../media/rtp.js';\nexport const b = [a, c];\n"],
    ['control-api/x.ts', "import { a } from '../store/index.js';\nexport const b = a;\n"],
    ['app/x.ts', "import { a } from '../control-api/app.js';\nexport const b = a;\n"],
  ])('%s: imports downwards are allowed', async (file, code) => {
    expect(await lint(file, code)).toEqual([]);
  });
});
