/**
 * Text oneoff did not write itself (a name from a container's archive, a label value, an
 * engine's message) reaches the terminal with its control characters shown, never acted on:
 * an ESC, CR or newline in it could otherwise move the cursor, rewrite oneoff's own lines, forge
 * an `oneoff:` line or set the clipboard (OSC 52). Pure.
 *
 * The form is one readable escape per character, so the text stays on one line: `\n`, `\r`,
 * `\t`; any other C0 control and DEL as `\xHH` (ESC as `\x1b`); a C1 control (U+0080 to
 * U+009F, which some terminals take as CSI or OSC) as `\u00HH`. Backslashes are left as they
 * are: the escapes are for reading, not for turning back into the text. The command's own
 * output never goes through here; it stays byte-exact.
 */

const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (control) => {
    const code = control.charCodeAt(0);
    const hex = code.toString(16).padStart(2, "0");
    return NAMED[control] ?? (code < 0x80 ? `\\x${hex}` : `\\u00${hex}`);
  });
}

/**
 * A JSON text with DEL and the C1 controls written as `\u` escapes too: JSON.stringify escapes
 * only C0, and a document piped to a terminal would carry the others raw. Inside JSON these can
 * only stand in strings, so the text parses to the same values.
 */
export function escapeJsonControls(json: string): string {
  return json.replace(/[\u007f-\u009f]/g, (control) => `\\u00${control.charCodeAt(0).toString(16)}`);
}
