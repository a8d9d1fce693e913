/**
 * Which one-offs a cleanup may touch: `oneoff cleanup --filter label=...`, in the form
 * `docker container prune --filter` takes. A label filter keeps what carries the label
 * (`label=KEY`, `label=KEY=VALUE`) or what does not (`label!=KEY`, `label!=KEY=VALUE`); several
 * must all hold, as moby's prune matches labels (every label filter, not any). Pure.
 */
import { OneoffError } from "../output/errors.js";
import { splitEntry } from "../formats/runtime-values.js";

export interface LabelFilter {
  key: string;
  /** Undefined: any value. */
  value?: string;
  /** `label!=`: what does not carry it. */
  without: boolean;
}

const FORMS = "label=KEY, label=KEY=VALUE, label!=KEY or label!=KEY=VALUE";

/** One `--filter` value (`name`: the library's option), refused in one line when it is not a label filter. */
export function parseLabelFilter(text: string, name = "--filter"): LabelFilter {
  const match = /^label(!?)=(.*)$/s.exec(text);
  if (!match) {
    const key = /^([^=!]*)!?=/.exec(text)?.[1];
    const why = key ? `oneoff cleanup filters only by label, not by ${key}` : "not a filter";
    throw new OneoffError(`${name} ${JSON.stringify(text)}: ${why}`, { hint: `use ${FORMS}` });
  }
  const [, bang, pair] = match as unknown as [string, string, string];
  const [key, value] = splitEntry(pair);
  if (!key) throw new OneoffError(`${name} ${JSON.stringify(text)}: a label filter needs a key`, { hint: `use ${FORMS}` });
  return { key, ...(value === undefined ? {} : { value }), without: bang === "!" };
}

/** Whether `labels` pass every filter (no filters: everything does). */
export function inScope(labels: Readonly<Record<string, string>>, filters: readonly LabelFilter[]): boolean {
  return filters.every(({ key, value, without }) => {
    const carries = Object.prototype.hasOwnProperty.call(labels, key) && (value === undefined || labels[key] === value);
    return without ? !carries : carries;
  });
}
