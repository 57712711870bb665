// Every CSV the product writes (exports, the access review) passes its cells through here, so a
// spreadsheet opening the file never runs a cell as a formula (CSV injection). A cell starting
// with = + - @, a tab, a carriage return or a line feed (or a full-width = + - @) is prefixed
// with an apostrophe, which spreadsheets show but do not evaluate. Plain numbers such as
// `-12.50` or `+3` are left as they are: they are values, not formulas.

const FORMULA_START = /^[=+\-@\t\r\n\uFF1D\uFF0B\uFF0D\uFF20]/;
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The text of a CSV cell that no spreadsheet evaluates. */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}
