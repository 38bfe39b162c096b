// Listening on one of the host's ends (control, source, sink ack, function
// channel): a path another process holds is reported as PORTABLE_E_CONF_IN_USE
// with the holder named, any other failure as PORTABLE_E_CONF_SOCKET.

import { NngError } from "@portable-plugins/nng";
import { ipcPath } from "@portable-plugins/protocol";
import { ConformanceError } from "../errors.js";
import { describeHolders } from "../socket-holder.js";

export interface HostEndText {
  /** Who holds the path when it is live, e.g. "another host runs a plugin named x". */
  readonly inUse: string;
  /** The message of any other failure. */
  readonly failed: string;
}

export async function listenHostEnd(
  channel: { listen(): Promise<void> },
  url: string,
  text: HostEndText,
): Promise<void> {
  try {
    await channel.listen();
  } catch (err) {
    if (NngError.is(err, "PORTABLE_E_ADDR_IN_USE")) {
      throw new ConformanceError(
        "PORTABLE_E_CONF_IN_USE",
        `${ipcPath(url)} is live: ${text.inUse}, ${await describeHolders(ipcPath(url))}`,
        { path: ipcPath(url), cause: err },
      );
    }
    throw ConformanceError.from(err, "PORTABLE_E_CONF_SOCKET", text.failed);
  }
}

/** What a symbol's channel says when it cannot listen at `url`. */
export function symbolEndText(url: string): HostEndText {
  return {
    inUse: "another process listens there (another host, or a plugin with the same function name)",
    failed: `cannot listen on ${url}`,
  };
}
