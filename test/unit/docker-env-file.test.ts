import { describe, expect, it } from "vitest";
import { DotenvError } from "../../src/config/dotenv.js";
import { parseDockerEnvFile } from "../../src/config/docker-env-file.js";

const hostEnv = { FROM_HOST: "host-value", EMPTY_ON_HOST: "" };

describe("parseDockerEnvFile (docker run --env-file's format)", () => {
  it.each([
    ["NAME=value", "NAME=value", { NAME: "value" }],
    ["double quotes, kept", 'QUOTED="a b"', { QUOTED: '"a b"' }],
    ["single quotes, kept", "SINGLE='x'", { SINGLE: "'x'" }],
    ["a # mid-line, kept", "HASH=a # not a comment", { HASH: "a # not a comment" }],
    ["trailing spaces, kept", "TRAILING=space   ", { TRAILING: "space   " }],
    ["spaces after the equals sign, kept", "NAME= value", { NAME: " value" }],
    ["leading whitespace, dropped", "   INDENTED=kept", { INDENTED: "kept" }],
    ["an empty value", "EMPTY=", { EMPTY: "" }],
    ["an equals sign in the value", "URL=a=b", { URL: "a=b" }],
    ["a whole-line comment and blank lines", "# NAME=x\n\n  # also\nNAME=y\n", { NAME: "y" }],
    ["CRLF line ends", "A=1\r\nB=2\r\n", { A: "1", B: "2" }],
    ["a byte order mark", "\uFEFFA=1", { A: "1" }],
    ["a bare NAME set here", "FROM_HOST", { FROM_HOST: "host-value" }],
    ["a bare NAME set empty here", "EMPTY_ON_HOST", { EMPTY_ON_HOST: "" }],
    ["a bare NAME unset here, left out", "NOT_SET_HERE", {}],
    ["the last of a name given twice", "A=1\nA=2", { A: "2" }],
  ])("%s", (_what, text, expected) => {
    expect(parseDockerEnvFile(text, hostEnv)).toEqual(expected);
  });

  it.each([
    ["export NAME=value", 1, /variable "export NAME" contains whitespace/],
    ["NAME =value", 1, /variable "NAME " contains whitespace/],
    ["A=1\n=value", 2, /the variable name is empty/],
    ["A=1\n\nNAME\tX=1", 3, /contains whitespace/],
  ])("refuses %j, naming line %i", (text, line, message) => {
    let caught: unknown;
    try {
      parseDockerEnvFile(text, hostEnv);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DotenvError);
    expect((caught as DotenvError).line).toBe(line);
    expect((caught as DotenvError).message).toMatch(message);
  });
});
