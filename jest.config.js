// Three kinds of tests, as DEVELOPERS.md describes them:
//   unit         pure logic with fakes and fake clocks       (*.test.ts next to the code)
//   integration  a real etcd and a real apiserver            (test/integration/*.test.ts)
//   e2e          real processes, real Docker, real kubectl   (test/e2e/*.test.ts)
const tsJest = ['ts-jest', { isolatedModules: true, diagnostics: false }];
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
      testTimeout: 60000,
    },
    {
      ...common,
      displayName: 'e2e',
      roots: ['<rootDir>/test/e2e'],
      globalSetup: '<rootDir>/test/e2e/global-setup.ts',
      globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
      testMatch: ['**/*.test.ts'],
      testTimeout: 180000,
    },
  ],
};
