import { describe, expect, it } from "vitest";
import { interpolate, interpolateWithDefaults, InterpolationError, type Environment } from "../../src/config/interpolate.js";

const env: Environment = {
  HOST: "db.internal",
  PORT: "5432",
  EMPTY: "",
  USER_NAME: "alice",
  _UNDERSCORE: "u",
  A1: "a-one",
  FALLBACK: "from-fallback",
};

function interpolationError(text: string, environment: Environment = env): InterpolationError {
  try {
    interpolate(text, environment);
  } catch (error) {
    expect(error).toBeInstanceOf(InterpolationError);
    return error as InterpolationError;
  }
  throw new Error(`expected interpolate(${JSON.stringify(text)}) to throw`);
}

describe("interpolate", () => {
  it.each([
    ["plain text without dollars", "plain text", "plain text"],
    ["an empty string", "", ""],
    ["${VAR}", "${HOST}", "db.internal"],
    ["$VAR", "$HOST", "db.internal"],
    ["$VAR ending at a non-name character", "$HOST:$PORT", "db.internal:5432"],
    ["$VAR followed by a dot", "$HOST.example", "db.internal.example"],
    ["several variables in one string", "postgres://${USER_NAME}@${HOST}:${PORT}/app", "postgres://alice@db.internal:5432/app"],
    ["a name starting with an underscore", "$_UNDERSCORE", "u"],
    ["a name holding digits", "${A1}", "a-one"],
    ["${VAR} set but empty stays empty", "[${EMPTY}]", "[]"],
    ["$$ as a literal dollar", "cost: $$5", "cost: $5"],
    ["$$ before a brace is not interpolated", "$${HOST}", "${HOST}"],
    ["$$$VAR: a literal dollar then a variable", "$$$HOST", "$db.internal"],
    ["four dollars are two literal dollars", "$$$$", "$$"],
    ["${VAR:-default} when set", "${HOST:-other}", "db.internal"],
    ["${VAR:-default} when unset", "${MISSING:-other}", "other"],
    ["${VAR:-default} when empty", "${EMPTY:-other}", "other"],
    ["${VAR-default} when set", "${HOST-other}", "db.internal"],
    ["${VAR-default} when unset", "${MISSING-other}", "other"],
    ["${VAR-default} keeps an empty value", "[${EMPTY-other}]", "[]"],
    ["an empty default", "[${MISSING:-}]", "[]"],
    ["${VAR:+alt} when set", "${HOST:+yes}", "yes"],
    ["${VAR:+alt} when empty", "[${EMPTY:+yes}]", "[]"],
    ["${VAR:+alt} when unset", "[${MISSING:+yes}]", "[]"],
    ["${VAR+alt} when set but empty", "${EMPTY+yes}", "yes"],
    ["${VAR+alt} when unset", "[${MISSING+yes}]", "[]"],
    ["an alternative holding a variable", "${HOST:+host=${HOST}}", "host=db.internal"],
    ["an unset variable in an alternative not taken is not an error", "[${MISSING:+${ALSO_MISSING}}]", "[]"],
    ["a default holding spaces and colons", "${MISSING:-a b:c}", "a b:c"],
    ["a default that is itself a variable", "${MISSING:-${FALLBACK}}", "from-fallback"],
    ["a default holding $VAR", "${MISSING:-$FALLBACK}", "from-fallback"],
    ["nested defaults two levels deep", "${MISSING:-${ALSO_MISSING:-deep}}", "deep"],
    ["a nested default with text around it", "${MISSING:-x${ALSO_MISSING:-y}z}", "xyz"],
    ["a default holding $$", "${MISSING:-$$HOME}", "$HOME"],
    ["a default holding an escaped ${...}", "${MISSING:-$${HOST}}", "${HOST}"],
    ["a nested default is not evaluated when the variable is set", "${HOST:-${MISSING}}", "db.internal"],
    ["${VAR:?message} when set", "${HOST:?need a host}", "db.internal"],
    ["${VAR?message} when empty", "[${EMPTY?need it}]", "[]"],
    ["a closing brace outside an expression is literal", "a}b", "a}b"],
    ["${VAR-default} where the default looks like a name", "${MISSING-VAR}", "VAR"],
  ])("expands %s", (_name, text, expected) => {
    expect(interpolate(text, env)).toBe(expected);
  });

  it("reads only the environment it is given, not process.env", () => {
    process.env.ONEOFF_INTERPOLATE_TEST_ONLY = "from-process";
    try {
      expect(interpolate("${ONEOFF_INTERPOLATE_TEST_ONLY:-from-default}", {})).toBe("from-default");
    } finally {
      delete process.env.ONEOFF_INTERPOLATE_TEST_ONLY;
    }
  });

  it.each([
    ["${VAR} when unset", "${MISSING}", "MISSING", /^variable MISSING is not set$/],
    ["$VAR when unset", "x $MISSING y", "MISSING", /^variable MISSING is not set$/],
    ["$VAR, taking the longest name", "$A1B", "A1B", /^variable A1B is not set$/],
    ["an unset variable inside a default", "${MISSING:-${ALSO_MISSING}}", "ALSO_MISSING", /^variable ALSO_MISSING is not set$/],
    ["${VAR:?message} when unset", "${MISSING:?set the database URL}", "MISSING", /^MISSING: set the database URL$/],
    ["${VAR:?message} when empty", "${EMPTY:?must not be empty}", "EMPTY", /^EMPTY: must not be empty$/],
    ["${VAR?message} when unset", "${MISSING?gone}", "MISSING", /^MISSING: gone$/],
    ["${VAR:?} without a message", "${MISSING:?}", "MISSING", /^MISSING: variable MISSING is not set$/],
    ["${VAR?} without a message", "${MISSING?}", "MISSING", /^MISSING: variable MISSING is not set$/],
    ["an error message that interpolates", "${MISSING:?no db on $HOST}", "MISSING", /^MISSING: no db on db.internal$/],
  ])("refuses %s, naming the variable", (_name, text, variable, message) => {
    const error = interpolationError(text);
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(message);
    expect(error.hint).toContain(variable);
  });

  it("suggests a default in the hint for an unset required variable", () => {
    expect(interpolationError("${DATABASE_URL}").hint).toBe(
      "set DATABASE_URL in the environment, or give a default with ${DATABASE_URL:-value}",
    );
  });

  it.each([
    ["an unclosed brace", "${HOST", /^unclosed "\$\{" in "\$\{HOST"$/],
    ["an unclosed nested brace", "${MISSING:-${HOST}", /^unclosed/],
    ["an empty name", "${}", /^invalid variable name in "\$\{\}"$/],
    ["a name starting with a digit", "${1ABC}", /^invalid variable name/],
    ["a name with a dot", "${MY.VAR}", /^invalid interpolation "\$\{MY\.VAR\}"$/],
    ["an unknown operator", "${HOST:=alt}", /^invalid interpolation "\$\{HOST:=alt\}"$/],
    ["a space after the name", "${HOST }", /^invalid interpolation/],
    ["a lone dollar at the end", "price$", /^invalid interpolation "\$" in "price\$"$/],
    ["a dollar before a space", "a $ b", /^invalid interpolation "\$ " in "a \$ b"$/],
    ["a dollar before a digit", "$1", /^invalid interpolation "\$1"/],
  ])("refuses %s as invalid syntax", (_name, text, message) => {
    const error = interpolationError(text);
    expect(error.message).toMatch(message);
    expect(error.hint).not.toBe("");
  });

  it("names the variable for an invalid operator but not for an invalid name", () => {
    expect(interpolationError("${HOST:=alt}").variable).toBe("HOST");
    expect(interpolationError("${1ABC}").variable).toBeUndefined();
  });
});

describe("interpolateWithDefaults (whether a value is only a fallback, which --from lets the running process's value stand over)", () => {
  it.each([
    ["plain text", "plain", "plain", false],
    ["a set variable", "${HOST}", "db.internal", false],
    ["${VAR:-default} when set", "${HOST:-other}", "db.internal", false],
    ["${VAR:-default} when unset", "${MISSING:-dev-secret}", "dev-secret", true],
    ["${VAR:-default} when empty", "${EMPTY:-other}", "other", true],
    ["${VAR-default} keeping an empty value", "[${EMPTY-other}]", "[]", false],
    ["a default taken inside other text", "postgres://${MISSING:-localhost}/db", "postgres://localhost/db", true],
    ["a nested default taken", "${MISSING:-${ALSO_MISSING:-deep}}", "deep", true],
    ["a default that is a set variable", "${MISSING:-${FALLBACK}}", "from-fallback", true],
    ["${VAR:+alt} when unset", "[${MISSING:+yes}]", "[]", true],
    ["${VAR:+alt} when set", "${HOST:+yes}", "yes", false],
  ])("%s", (_name, text, value, defaulted) => {
    expect(interpolateWithDefaults(text, env)).toEqual({ value, defaulted });
  });
});
