import { describe, expect, it } from "vitest";
import { DotenvError, parseComposeEnvFile } from "../../src/config/dotenv.js";

const hostEnv = { FROM_HOST: "host-value", EMPTY_ON_HOST: "" };

function dotenvError(text: string): DotenvError {
  try {
    parseComposeEnvFile(text, hostEnv);
  } catch (error) {
    expect(error).toBeInstanceOf(DotenvError);
    return error as DotenvError;
  }
  throw new Error(`expected parseComposeEnvFile(${JSON.stringify(text)}) to throw`);
}

describe("parseComposeEnvFile", () => {
  it.each([
    ["KEY=value", "KEY=value", { KEY: "value" }],
    ["an empty value", "KEY=", { KEY: "" }],
    ["spaces around the equals sign", "KEY = value", { KEY: "value" }],
    ["leading and trailing whitespace on the line", "   KEY=value   ", { KEY: "value" }],
    ["an unquoted value with inner spaces", "KEY=two words", { KEY: "two words" }],
    ["an equals sign inside the value", "URL=postgres://h/db?sslmode=require", { URL: "postgres://h/db?sslmode=require" }],
    ["a # inside an unquoted value", "KEY=a#b", { KEY: "a#b" }],
    ["a value starting with #", "KEY=#notacomment", { KEY: "#notacomment" }],
    ["a trailing comment after an unquoted value", "KEY=value # note", { KEY: "value" }],
    ["a trailing comment after a tab", "KEY=value\t# note", { KEY: "value" }],
    ["a comment line", "# KEY=value", {}],
    ["an indented comment line", "   # KEY=value", {}],
    ["blank lines", "\n\n   \nKEY=value\n\n", { KEY: "value" }],
    ["the export prefix", "export KEY=value", { KEY: "value" }],
    ["the export prefix with extra spaces", "export    KEY=value", { KEY: "value" }],
    ["a name that merely starts with export", "exported=1", { exported: "1" }],
    ["dots and dashes in names", "app.log-level=debug", { "app.log-level": "debug" }],
    ["underscores and digits in names", "_A_1=x", { _A_1: "x" }],
    ["a name starting with a digit, as docker accepts", "\n\n\n1KEY=value", { "1KEY": "value" }],
    ["a name that is only digits", "1A=2\n42=x", { "1A": "2", "42": "x" }],
    ["a name with punctuation other than =", "a:b/c@d=1", { "a:b/c@d": "1" }],
    [
      "a value just under the 128 KiB limit",
      `KEY=${"x".repeat(128 * 1024 - "KEY=".length - 1)}`,
      { KEY: "x".repeat(128 * 1024 - "KEY=".length - 1) },
    ],
    ["a double-quoted value", 'KEY="quoted value"', { KEY: "quoted value" }],
    ["a single-quoted value", "KEY='quoted value'", { KEY: "quoted value" }],
    ["an empty double-quoted value", 'KEY=""', { KEY: "" }],
    ["an empty single-quoted value", "KEY=''", { KEY: "" }],
    ["a # inside quotes", 'KEY="a # b"', { KEY: "a # b" }],
    ["a comment after a closing quote", 'KEY="value" # note', { KEY: "value" }],
    ["spaces kept inside quotes", 'KEY="  padded  "', { KEY: "  padded  " }],
    ["escaped double quotes", 'KEY="say \\"hi\\""', { KEY: 'say "hi"' }],
    ["\\n, \\t and \\r escapes in double quotes", 'KEY="a\\nb\\tc\\rd"', { KEY: "a\nb\tc\rd" }],
    ["an escaped backslash in double quotes", 'KEY="C:\\\\dir"', { KEY: "C:\\dir" }],
    ["an escaped backslash just before the closing quote", 'KEY="ends\\\\"', { KEY: "ends\\" }],
    ["an unknown escape keeps the character", 'KEY="\\$HOME"', { KEY: "$HOME" }],
    ["no escapes inside single quotes", "KEY='a\\nb'", { KEY: "a\\nb" }],
    ["double quotes inside single quotes", `KEY='say "hi"'`, { KEY: 'say "hi"' }],
    ["single quotes inside double quotes", `KEY="it's"`, { KEY: "it's" }],
    ["no interpolation of ${VAR}", "KEY=${FROM_HOST}", { KEY: "${FROM_HOST}" }],
    ["no interpolation of $VAR in double quotes", 'KEY="$FROM_HOST"', { KEY: "$FROM_HOST" }],
    ["a bare KEY set on the host", "FROM_HOST", { FROM_HOST: "host-value" }],
    ["a bare KEY set to empty on the host", "EMPTY_ON_HOST", { EMPTY_ON_HOST: "" }],
    ["a bare KEY unset on the host is left out", "NOT_ON_HOST", {}],
    ["an exported bare KEY", "export FROM_HOST", { FROM_HOST: "host-value" }],
    ["a later line winning over an earlier one", "KEY=first\nKEY=second", { KEY: "second" }],
    ["CRLF line endings", "A=1\r\nB=2\r\n", { A: "1", B: "2" }],
    [
      "a whole file",
      "# database\nexport DATABASE_URL=postgres://db/app\n\nRAILS_ENV='production'\nGREETING=\"hello\\nworld\" # two lines\nFROM_HOST\n",
      { DATABASE_URL: "postgres://db/app", RAILS_ENV: "production", GREETING: "hello\nworld", FROM_HOST: "host-value" },
    ],
  ])("reads %s", (_name, text, expected) => {
    expect(parseComposeEnvFile(text, hostEnv)).toEqual(expected);
  });

  it.each([
    ["an unterminated double quote", 'A=1\nKEY="open', 2, /^unterminated double quote$/],
    ["an unterminated single quote", "A=1\nB=2\nKEY='open", 3, /^unterminated single quote$/],
    ["a quote closed only on the next line", 'KEY="first\nsecond"', 1, /^unterminated double quote$/],
    ["an escaped closing quote", 'KEY="open\\"', 1, /^unterminated double quote$/],
    ["text after the closing quote", "A=1\nKEY='value' extra", 2, /^unexpected text after the closing quote: extra$/],
    ["an empty name", "=value", 1, /^the variable name is empty$/],
    ["a name of only spaces", "A=1\n   =value", 2, /^the variable name is empty$/],
    ["a name with a space", "MY KEY=value", 1, /^variable name "MY KEY" contains whitespace$/],
    ["a name with a tab", "A=1\nMY\tKEY=value", 2, /^variable name "MY\tKEY" contains whitespace$/],
    ["a bare name with a space", "# c\nMY KEY", 2, /^variable name "MY KEY" contains whitespace$/],
    ["a name with a NUL byte", "A=1\nMY\0KEY=value", 2, /^variable name "MY\0KEY" contains a NUL byte$/],
    ["a NUL byte in an unquoted value", "A=1\nB=2\nKEY=a\0b", 3, /^the value of KEY contains a NUL byte, which no process can receive$/],
    ["a NUL byte in a quoted value", 'KEY="a\0b"', 1, /^the value of KEY contains a NUL byte, which no process can receive$/],
    [
      "a value one byte over the 128 KiB limit",
      `A=1\nKEY=${"x".repeat(128 * 1024 - "KEY=".length)}`,
      2,
      /^KEY is 131073 bytes; Linux refuses a variable over 128 KiB$/,
    ],
  ])("refuses %s, with its line number", (_name, text, line, message) => {
    const error = dotenvError(text);
    expect(error.line).toBe(line);
    expect(error.message).toMatch(message);
  });

  it("counts CRLF lines like LF lines in error line numbers", () => {
    expect(dotenvError("A=1\r\nB=2\r\nC D=x\r\n").line).toBe(3);
  });
});
