/**
 * Glob patterns for venv paths: `*` matches within a path segment, `**` across segments,
 * `?` one character, `[...]` a class. A pattern without `/` matches the last segment
 * anywhere (like .gitignore), so `LICENSE` matches `lib/python3.11/site-packages/LICENSE`.
 */
export function globToRegExp(pattern: string): RegExp {
  const anchored = pattern.includes("/");
  const body = pattern.replace(/^\//, "");
  let re = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "*") {
      if (body[i + 1] === "*") {
        i++;
        if (body[i + 1] === "/") {
          i++;
          re += "(?:.*/)?";
        } else re += ".*";
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = body.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        re += `[${body.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(anchored ? `^${re}$` : `(?:^|/)${re}$`);
}
