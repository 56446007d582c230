// Field paths in the one form every smo error uses: `hdaGraph.services[1].deployment.intent.compute.cpu`.
// Rules build paths as segment arrays (cheap, no string parsing) and render them only when reporting.

export type Segment = string | number;
export type Path = readonly Segment[];

// Keys that read naturally after a dot; anything else (spaces, dots, quotes, empty) is bracket-quoted so that
// a path stays unambiguous and can be parsed back (see parsePath).
const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

export function formatPath(path: Path): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Inverse of formatPath; undefined when the text is not a path this module produced. */
export function parsePath(text: string): Segment[] | undefined {
  const segments: Segment[] = [];
  let rest = text;
  const token = /^(?:\.?([A-Za-z_$][A-Za-z0-9_$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\])/;
  while (rest !== "") {
    const m = token.exec(rest);
    if (!m) return undefined;
    if (m[1] !== undefined) segments.push(m[1]);
    else if (m[2] !== undefined) segments.push(Number(m[2]));
    else segments.push(JSON.parse(m[3]!) as string);
    rest = rest.slice(m[0].length);
  }
  return segments;
}
