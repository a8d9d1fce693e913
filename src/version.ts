// Kept in step with package.json by test/unit/version.test.ts; read without touching the
// filesystem so `oneoff --version` stays cheap.
export const VERSION = "0.1.0";
