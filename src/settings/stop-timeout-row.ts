/**
 * --stop-timeout: how long a stop waits between the stop signal and SIGKILL. One value, the
 * container's StopTimeout (docker stop's grace, as docker run --stop-timeout sets it), a job's
 * StopGracePeriod, and the grace of oneoff's own stop (Ctrl-C, --timeout, a failed write):
 * session/stop-control.ts reads it from the plan's settings. Pure.
 */
import { MAX_TIMER_MS, parseDuration } from "../formats/units.js";
import { problem, type SettingRow } from "./row.js";

/** docker stop's default: the stop signal, then SIGKILL 10 s later. */
const DEFAULT_STOP_TIMEOUT_SECONDS = 10;
const MAX_SECONDS = Math.floor(MAX_TIMER_MS / 1000);

/** The grace a stop gives: the setting's, else docker's default (a job always carries one). */
export const stopGraceSeconds = (settings: { stopTimeout?: number }): number => settings.stopTimeout ?? DEFAULT_STOP_TIMEOUT_SECONDS;

/**
 * docker reads an integer; oneoff has always taken any number of seconds (2.5; 0 kills at once)
 * and keeps taking it, read once into the whole seconds the engine keeps, a fraction rounded up.
 * The flag's text is read as commander reads the flag (as docker's int flag is read), so a word
 * or a negative is commander's line; oneoff.yaml's stop_timeout is a YAML number, compose's
 * stop_grace_period a duration (1m30s), cut to whole seconds as compose sends it.
 */
export function stopTimeoutRow(): SettingRow<"stopTimeout"> {
  return {
    name: "stopTimeout",
    shape: "number",
    flag: "--stop-timeout",
    argument: "<seconds>",
    help: "after SIGTERM, seconds before the command is killed (default 10); also the container's own stop timeout",
    example: "30",
    compose: "stop_grace_period",
    yaml: "stop_timeout",
    fromText: (text) => {
      const seconds = Number(text);
      return text.trim() === "" || !Number.isFinite(seconds) || seconds < 0
        ? problem("not a number of seconds", "give a number of seconds, such as 30")
        : seconds;
    },
    fromCompose: (text) => {
      // parseDuration takes 90 as seconds and leaves out 0 (no timer fires at once): a grace may be 0.
      const ms = /^0+(\.0+)?(ms|s|m|h)?$/.test(text.trim()) ? 0 : parseDuration(text);
      return ms === undefined ? problem("not a duration", "such as stop_grace_period: 1m30s") : String(Math.floor(ms / 1000));
    },
    parse: (given) => {
      if (given < 0) return problem("must not be negative", "give a number of seconds");
      const seconds = Math.ceil(given);
      return seconds > MAX_SECONDS ? problem("longer than oneoff can time", `give at most ${MAX_SECONDS} seconds`) : seconds;
    },
    api: {
      part: "Config",
      field: "StopTimeout",
      write: (seconds) => seconds,
      read: (value) => (typeof value === "number" && value >= 0 ? value : undefined),
    },
    words: (seconds) => [String(seconds)],
    // A job carries it in nanoseconds.
    jobField: "StopGracePeriod",
    jobForm: {
      toJob: (seconds) => seconds * 1_000_000_000,
      fromJob: (value) => (typeof value === "number" && value >= 0 ? Math.ceil(value / 1_000_000_000) : undefined),
    },
  };
}
