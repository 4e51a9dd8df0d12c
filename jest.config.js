/** Unit tests run anywhere; the e2e project needs the toolchain (`agc toolchain`). */
const common = {
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testEnvironment: "node",
  // Local cluster state (containerd's image snapshots hold whole package trees) is not source.
  modulePathIgnorePatterns: ["<rootDir>/.agc/"],
};
module.exports = {
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/test/unit/**/*.test.ts"] },
    { ...common, displayName: "dataplane", testMatch: ["<rootDir>/test/dataplane/**/*.test.ts"] },
    {
      ...common,
      displayName: "e2e",
      testMatch: ["<rootDir>/test/e2e/**/*.test.ts"],
      globalSetup: "<rootDir>/test/support/globalSetup.ts",
      globalTeardown: "<rootDir>/test/support/globalTeardown.ts",
    },
  ],
};
