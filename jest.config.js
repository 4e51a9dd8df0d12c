/** Unit tests run anywhere; the e2e project needs the toolchain (`agc toolchain`). */
const tsJest = ["ts-jest", { diagnostics: false }];
module.exports = {
  projects: [
    {
      displayName: "unit",
      testMatch: ["<rootDir>/test/unit/**/*.test.ts"],
      transform: { "^.+\\.ts$": tsJest },
      testEnvironment: "node",
    },
    {
      displayName: "dataplane",
      testMatch: ["<rootDir>/test/dataplane/**/*.test.ts"],
      transform: { "^.+\\.ts$": tsJest },
      testEnvironment: "node",
    },
    {
      displayName: "e2e",
      testMatch: ["<rootDir>/test/e2e/**/*.test.ts"],
      globalSetup: "<rootDir>/test/support/globalSetup.ts",
      globalTeardown: "<rootDir>/test/support/globalTeardown.ts",
      transform: { "^.+\\.ts$": tsJest },
      testEnvironment: "node",
    },
  ],
};
