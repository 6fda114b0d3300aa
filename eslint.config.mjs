import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const adapters = ['@prisma/*', '@prisma/client', 'kafkajs', 'twilio', 'fastify', 'fastify-*', '@fastify/*', 'pg', 'pino'];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/generated/**', '.nx/**', '.local/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // Tags (package.json "nx.tags") decide who may import whom. Domain code imports no adapter library.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [], bannedExternalImports: adapters },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain'], bannedExternalImports: adapters },
            // type:testing (test helpers) is imported by test files only.
            { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:adapter', 'type:testing'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:adapter', 'type:app', 'type:testing'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:adapter', 'type:testing', 'type:app'] },
          ],
        },
      ],
    },
  },
];
