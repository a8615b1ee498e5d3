// ESLint flat config. The import-boundary rules below are the layer rules of
// docs/architecture.md: a lower layer never imports an upper one, and sip/ and
// media/ never import each other (the B2BUA in voice/ couples them).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Layers and the top-level folders each one must not import. */
export const layerRules = {
  store: ['sip', 'media', 'ivr-runtime', 'voice', 'control-api', 'app', 'web'],
  sip: ['media', 'voice', 'control-api', 'app', 'web'],
  media: ['sip', 'voice', 'control-api', 'app', 'web'],
  'ivr-runtime': ['sip', 'media', 'voice', 'control-api', 'app', 'web'],
  voice: ['control-api', 'app', 'web'],
  'control-api': ['sip', 'media', 'app', 'web'],
};

function boundaryRule(layer, forbidden) {
  const alternatives = forbidden.join('|');
  return {
    files: [`${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // Relative imports that climb out of the layer into a forbidden folder.
              regex: `^(\\.\\./)+(${alternatives})(/|$)`,
              message: `${layer}/ must not import from ${forbidden.join(', ')} (layer rules, docs/architecture.md).`,
            },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', '.test-output/**', 'web/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['test/**/*.ts', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  ...Object.entries(layerRules).map(([layer, forbidden]) => boundaryRule(layer, forbidden)),
);
