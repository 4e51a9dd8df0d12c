/**
 * Tests that start and stop their own local cluster and compare the machine before and after.
 * One real node runs per machine, so they run apart from the e2e project (whose cluster runs
 * for the whole e2e run): `npm run test:host`, after `jest` in `npm test`.
 */
module.exports = {
  displayName: "host",
  testMatch: ["<rootDir>/test/host/**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testEnvironment: "node",
  modulePathIgnorePatterns: ["<rootDir>/.agc/"],
};
