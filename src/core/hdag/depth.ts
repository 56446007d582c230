// A cheap scan of the text for nesting depth, run before any parser sees it. The yaml package composes
// nested collections recursively: 1 MiB of "[" took seconds and ended in "Maximum call stack size exceeded",
// and a deeply indented file could abort node. One linear pass over the characters (no allocation) bounds
// both kinds of nesting YAML has:
//   - flow nesting ([ and { outside quoted scalars and comments; JSON is all flow),
//   - block nesting, bounded by the column where a line's content starts after its indentation and its
//     compact indicators ("- ", "? ", ": "): every block level needs at least one more column.
// The scan errs on the side of counting too much: a document it refuses would be refused for depth anyway.

/** Deepest flow nesting accepted; the stored document's own limit (plain-data MAX_DEPTH) is the same. */
export const MAX_FLOW_DEPTH = 100;
/** Widest block indentation accepted, in columns (a descriptor indented by 2 rarely passes 40; together with flow nesting this stays well inside the default stack). */
export const MAX_INDENT_COLUMNS = 200;

export interface DepthProblem {
  message: string;
  line: number;
  column: number;
}

const SPACE = 0x20, TAB = 0x09, LF = 0x0a, CR = 0x0d, HASH = 0x23, DQ = 0x22, SQ = 0x27, BACKSLASH = 0x5c;
const OPEN_SQ = 0x5b, CLOSE_SQ = 0x5d, OPEN_CURLY = 0x7b, CLOSE_CURLY = 0x7d, COMMA = 0x2c, COLON = 0x3a;
const DASH = 0x2d, QUESTION = 0x3f, PIPE = 0x7c, GT = 0x3e;

const isBlank = (c: number): boolean => c === SPACE || c === TAB;
const isBreak = (c: number): boolean => c === LF || c === CR || Number.isNaN(c);

/** Why the text nests too deeply to be parsed safely, or undefined. */
export function depthProblem(text: string): DepthProblem | undefined {
  const n = text.length;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let flow = 0;
  let problem: DepthProblem | undefined;
  // True where a token may start (start of line content, after an indicator or a separator): only there do
  // quotes open a quoted scalar, and (in block context) "[" / "{" open a flow collection.
  let tokenStart = true;
  // After `key: |` or `- >`: lines indented deeper than this column are opaque text; -1 = none.
  let blockScalarColumn = -1;
  let lineColumn = 0;
  let freshLine = true;
  const at = (message: string): DepthProblem => ({ message, line, column: i - lineStart + 1 });
  const newline = (): void => {
    if (text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF) i++;
    i++;
    line++;
    lineStart = i;
    freshLine = flow === 0;
  };

  while (i < n && !problem) {
    if (freshLine && flow === 0) startBlockLine();
    else scanToken();
  }
  return problem;

  // Start of a line in block context: indentation and compact indicators ("- - key: ...").
  function startBlockLine(): void {
    freshLine = false;
    let col = 0;
    while (i < n && text.charCodeAt(i) === SPACE) (i++, col++);
    if (blockScalarColumn >= 0) {
      if (i >= n || isBreak(text.charCodeAt(i)) || col > blockScalarColumn) {
        while (i < n && !isBreak(text.charCodeAt(i))) i++;
        if (i < n) newline();
        return;
      }
      blockScalarColumn = -1;
    }
    for (;;) {
      const c = text.charCodeAt(i);
      if ((c === DASH || c === QUESTION || c === COLON) && isBlank(text.charCodeAt(i + 1))) {
        i += 2;
        col += 2;
        while (i < n && isBlank(text.charCodeAt(i))) (i++, col++);
      } else break;
    }
    if (col > MAX_INDENT_COLUMNS) {
      problem = at(`nesting too deep: content starts at column ${col + 1}; at most ${MAX_INDENT_COLUMNS} columns of indentation are accepted`);
      return;
    }
    lineColumn = col;
    tokenStart = true;
    if (i < n && isBreak(text.charCodeAt(i))) newline();
  }

  function scanToken(): void {
    const c = text.charCodeAt(i);
    if (isBreak(c)) {
      newline();
      if (flow > 0) tokenStart = true;
      return;
    }
    if (isBlank(c)) {
      i++;
      return;
    }
    if (c === HASH && (i === lineStart || isBlank(text.charCodeAt(i - 1)))) {
      while (i < n && !isBreak(text.charCodeAt(i))) i++;
      return;
    }
    if (tokenStart && (c === DQ || c === SQ)) {
      skipQuoted(c);
      tokenStart = false;
      return;
    }
    if (c === OPEN_SQ || c === OPEN_CURLY) {
      if (flow > 0 || tokenStart) {
        flow++;
        tokenStart = true;
        if (flow > MAX_FLOW_DEPTH) problem = at(`nesting too deep: more than ${MAX_FLOW_DEPTH} levels of [ and {`);
      }
      i++;
      return;
    }
    if (flow > 0 && (c === CLOSE_SQ || c === CLOSE_CURLY)) {
      flow--;
      i++;
      tokenStart = false;
      return;
    }
    const next = text.charCodeAt(i + 1);
    if ((c === COMMA && flow > 0) || (c === COLON && (flow > 0 || isBlank(next) || isBreak(next)))) {
      i++;
      tokenStart = true;
      return;
    }
    if (flow === 0 && tokenStart && (c === PIPE || c === GT)) {
      blockScalarColumn = lineColumn;
      while (i < n && !isBreak(text.charCodeAt(i))) i++;
      return;
    }
    if (flow === 0 && tokenStart && (c === DASH || c === QUESTION) && isBlank(next)) {
      i += 2;
      return;
    }
    tokenStart = false;
    i++;
  }

  function skipQuoted(quote: number): void {
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (quote === DQ && c === BACKSLASH) {
        i += 2;
      } else if (c === quote) {
        i++;
        if (quote === SQ && text.charCodeAt(i) === SQ) i++;
        else return;
      } else if (isBreak(c)) {
        newline();
        freshLine = false; // still inside the scalar
      } else {
        i++;
      }
    }
  }
}
