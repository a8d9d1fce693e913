/**
 * `docker run --env-file`'s format, as the docker CLI reads it: each line as written. Leading
 * whitespace and whole-line `#` comments and blank lines are skipped; the rest of a line is
 * `NAME=value` taken literally (quotes, a `#` and trailing spaces are part of the value), or a
 * bare `NAME` that passes NAME from the invoking environment (left out when unset there). No
 * `export`, no quoting, no interpolation: compose's env files have those (dotenv.ts). Pure.
 */
import { envNameProblem, envValueProblem } from "../formats/env-rules.js";
import { ownValue, userKeyed } from "../formats/user-keys.js";
import { DotenvError } from "./dotenv.js";
import type { Environment } from "./interpolate.js";

export function parseDockerEnvFile(text: string, hostEnv: Environment): Record<string, string> {
  const result = userKeyed();
  // Lines end at \n; a \r before it goes with it, as Go's line scanner drops it.
  text
    .replace(/^\uFEFF/, "")
    .split("\n")
    .forEach((raw, index) => {
      const lineNumber = index + 1;
      const line = raw.replace(/\r$/, "").trimStart();
      if (line === "" || line.startsWith("#")) return;
      const eq = line.indexOf("=");
      const name = eq < 0 ? line : line.slice(0, eq);
      if (/[ \t]/.test(name)) throw new DotenvError(`variable "${name}" contains whitespace`, lineNumber);
      const nameProblem = envNameProblem(name);
      if (nameProblem) throw new DotenvError(nameProblem, lineNumber);
      if (eq < 0) {
        const fromHost = ownValue(hostEnv, name);
        if (fromHost !== undefined) result[name] = fromHost;
        return;
      }
      const value = line.slice(eq + 1);
      const valueProblem = envValueProblem(name, value);
      if (valueProblem) throw new DotenvError(valueProblem, lineNumber);
      result[name] = value;
    });
  return result;
}
