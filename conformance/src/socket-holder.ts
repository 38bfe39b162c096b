// Who holds a Unix socket path: the processes listening on it, found through
// /proc (Linux): /proc/net/unix maps the path to socket inodes, each
// process's fd links name the inodes it holds. Used to say plainly, when a
// fixed reference-SDK socket path (`/tmp/plugin_<name>.ipc`) is taken, whose
// it is and how to get out of the way.

import { readdir, readFile, readlink } from "node:fs/promises";

export interface SocketHolder {
  readonly pid: number;
  /** The process's command line, space-joined. */
  readonly command: string;
  /** False when the process lives in another mount namespace (a different /tmp may hold the path). */
  readonly sameMountNamespace: boolean;
}

async function inodesOf(path: string): Promise<Set<string>> {
  const text = await readFile("/proc/net/unix", "utf8").catch(() => "");
  const inodes = new Set<string>();
  for (const line of text.split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    // Num RefCount Protocol Flags Type St Inode Path
    if (cols.length >= 8 && cols.slice(7).join(" ") === path && cols[6]) inodes.add(cols[6]);
  }
  return inodes;
}

/** The processes holding a Unix socket bound at `path`; empty when /proc tells nothing. */
export async function socketHolders(path: string): Promise<SocketHolder[]> {
  const inodes = await inodesOf(path);
  if (inodes.size === 0) return [];
  const ownNs = await readlink("/proc/self/ns/mnt").catch(() => "");
  const holders: SocketHolder[] = [];
  const pids = (await readdir("/proc").catch(() => [] as string[])).filter((n) => /^\d+$/.test(n));
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    let holds = false;
    for (const fd of fds) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m?.[1] && inodes.has(m[1])) {
        holds = true;
        break;
      }
    }
    if (!holds) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    const ns = await readlink(`/proc/${pid}/ns/mnt`).catch(() => "");
    holders.push({
      pid: Number(pid),
      command: cmdline.split("\0").filter(Boolean).join(" ") || "?",
      sameMountNamespace: ns === ownNs,
    });
  }
  // The holders that share our /tmp first: they are the ones in the way.
  return holders.sort((a, b) => Number(b.sameMountNamespace) - Number(a.sameMountNamespace));
}

/** One sentence: who holds `path`, and how to get out of the way. */
export async function describeHolders(path: string): Promise<string> {
  const holders = (await socketHolders(path)).filter((h, _i, all) =>
    all.some((x) => x.sameMountNamespace) ? h.sameMountNamespace : true,
  );
  const who =
    holders.length === 0
      ? "held by a process this user cannot see in /proc"
      : `held by ${holders.map((h) => `pid ${h.pid} (${h.command.slice(0, 120)})`).join(", ")}`;
  return `${who}. Stop it, or let the suite run in a private /tmp (it does by itself where it may make a mount namespace: as root, or with unprivileged user namespaces; do not pass --shared-tmp)`;
}
