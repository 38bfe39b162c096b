// Glob patterns over case ids (`sink/acks-when-asked/file`), as used by
// --only, --skip and known-failures files: `*` matches within one path
// segment, `**` across segments, `?` one character.

export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*" && glob[i + 1] === "*") {
      re += ".*";
      i++;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/**
 * True when `id` matches the pattern, or the case name (the id without its
 * symbol) does: `sink/acks-when-asked` then covers every sink.
 */
export function matchesGlob(pattern: string, id: string, caseName: string): boolean {
  const re = globToRegExp(pattern);
  return re.test(id) || re.test(caseName);
}
