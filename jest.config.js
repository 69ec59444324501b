// Three kinds of tests, as DEVELOPERS.md describes them:
//   unit         pure logic with fakes and fake clocks       (*.test.ts next to the code)
//   integration  a real etcd and a real apiserver            (test/integration/*.test.ts)
//   e2e          real processes, real Docker, real kubectl   (test/e2e/*.test.ts)
const tsJest = ['ts-jest', { diagnostics: false }];
const common = { testEnvironment: 'node', transform: { '^.+\\.ts$': tsJest } };

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/shared', '<rootDir>/apiserver', '<rootDir>/scheduler', '<rootDir>/controller-manager', '<rootDir>/kubelet', '<rootDir>/kube-proxy'],
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
  ],
};
