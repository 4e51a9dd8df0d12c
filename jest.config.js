/** Unit tests run anywhere; the e2e project needs the toolchain (`agc toolchain`). */
const tsJest = ["ts-jest", { diagnostics: false }];
// Local cluster state (containerd's image snapshots hold whole package trees) is not source.
const modulePathIgnorePatterns = ["<rootDir>/.agc/"];
module.exports = {
  projects: [
    {
      displayName: "unit",
      testMatch: ["<rootDir>/test/unit/**/*.test.ts"],
      transform: { "^.+\\.ts$": tsJest },
      testEnvironment: "node",
      modulePathIgnorePatterns,
    },
    {
      displayName: "dataplane",
      testMatch: ["<rootDir>/test/dataplane/**/*.test.ts"],
      transform: { "^.+\\.ts$": tsJest },
      testEnvironment: "node",
      modulePathIgnorePatterns,
    },
    {
      displayName: "e2e",
      testMatch: ["<rootDir>/test/e2e/**/*.test.ts"],
      globalSetup: "<rootDir>/test/support/globalSetup.ts",
      globalTeardown: "<rootDir>/test/support/globalTeardown.ts",
      transform: { "^.+\\.ts$": tsJest },
      testEnvironment: "node",
      modulePathIgnorePatterns,
    },
  ],
};
