// Three kinds of tests, as DEVELOPERS.md describes them:
//   unit         pure logic with fakes and fake clocks       (*.test.ts next to the code)
//   integration  a real etcd and a real apiserver            (test/integration/*.test.ts)
//   e2e          real processes, real Docker, real kubectl   (test/e2e/*.test.ts)
//   multihost    three machines as network namespaces         (test/multihost/*.test.ts)
//   browser      the dashboard in headless Chromium            (test/browser/*.test.ts)
//   compose      docker-compose up with no registry           (test/compose/*.test.ts)
const fs = require('node:fs');
const path = require('node:path');

const tsJest = ['ts-jest', { diagnostics: false }];
const SOURCE_DIRS = ['shared', 'apiserver', 'scheduler', 'controller-manager', 'kubelet', 'kube-proxy', 'deploy', 'dashboard'];
const ROOT = path.join(__dirname, '..');
const common = { rootDir: ROOT, testEnvironment: 'node', transform: { '^.+\\.ts$': tsJest } };

module.exports = {
  rootDir: ROOT,
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: SOURCE_DIRS.filter((d) => fs.existsSync(path.join(ROOT, d))).map((d) => `<rootDir>/${d}`),
      testMatch: ['**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      roots: ['<rootDir>/test/integration'],
      testMatch: ['**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/slow-tests.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      roots: ['<rootDir>/test/e2e'],
      testMatch: ['**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/slow-tests.ts'],
      globalSetup: '<rootDir>/test/e2e/global-setup.ts',
      globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
    },
    {
      // The dashboard in Debian's Chromium (playwright-core), against a cluster of its own started as the e2e one is.
      ...common,
      displayName: 'browser',
      roots: ['<rootDir>/test/browser'],
      testMatch: ['**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/slow-tests.ts'],
      globalSetup: '<rootDir>/test/e2e/global-setup.ts',
      globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
    },
    {
      ...common,
      displayName: 'compose',
      roots: ['<rootDir>/test/compose'],
      testMatch: ['**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/slow-tests.ts'],
    },
    {
      ...common,
      displayName: 'multihost',
      roots: ['<rootDir>/test/multihost'],
      testMatch: ['**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/slow-tests.ts'],
    },
  ],
};
