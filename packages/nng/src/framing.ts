// Message framing on a connected stream. ipc: `01 | u64 BE length | payload`
// (sp-ipc-mapping-01); tcp: `u64 BE length | payload` (sp-tcp-mapping-01). The length covers
// the SP protocol header (REQ/REP backtrace) plus the body.
import { constants as bufferConstants } from "node:buffer";
import { NngError } from "./errors.js";

export type Transport = "ipc" | "tcp";

/** The only ipc message type. NNG closes the pipe on any other; legacy nanomsg aborts. */
export const IPC_MSG_TYPE = 0x01;

export function prefixSize(transport: Transport): number {
  return transport === "ipc" ? 9 : 8;
}

/**
 * Largest message we can ever hold: a longer frame is refused even when recvMaxSize is 0
 * (unlimited). Node 20 cannot create a Buffer beyond 4 GiB; Node 22 and later allow up to
 * 2^53 - 1 bytes, which no process can hold, so the bound stays at 4 GiB on every Node.
 */
export const HARD_MAX_MESSAGE = Math.min(bufferConstants.MAX_LENGTH, 2 ** 32);

/**
 * Frames up to this size get their buffer allocated as soon as the length is read. Longer
 * frames collect the chunks as they arrive and join them once complete, so a peer that
 * announces gigabytes and sends nothing costs nothing.
 */
export const EAGER_ALLOC_LIMIT = 4 * 1024 * 1024;

export function writePrefix(target: Buffer, offset: number, transport: Transport, length: number) {
  let at = offset;
  if (transport === "ipc") target[at++] = IPC_MSG_TYPE;
  // Two u32 writes: exact for any length up to 2^53, without BigInt on the hot path.
  target.writeUInt32BE(Math.floor(length / 0x1_0000_0000), at);
  target.writeUInt32BE(length >>> 0, at + 4);
}

/** One frame as a single buffer (prefix, then each part). */
export function encodeFrame(transport: Transport, parts: readonly Uint8Array[]): Buffer {
  let length = 0;
  for (const part of parts) length += part.byteLength;
  const size = prefixSize(transport);
  const frame = Buffer.allocUnsafe(size + length);
  writePrefix(frame, 0, transport, length);
  let at = size;
  for (const part of parts) {
    frame.set(part, at);
    at += part.byteLength;
  }
  return frame;
}

export interface FrameDecoderOptions {
  /** Current recvMaxSize; 0 = unlimited. Read at each frame so setOption applies at once. */
  maxSize: () => number;
  /** Buffer allocator; tests substitute one that records sizes. */
  allocate?: (size: number) => Buffer;
}

/**
 * Incremental frame decoder: `push` stream chunks in any split, `next` pulls whole messages.
 * A message that sits inside one chunk is returned as a slice of it (no copy); one that spans
 * chunks is copied once into its own buffer. Pulling one message at a time lets the pipe stop
 * mid-chunk when the consumer's queue is full. Errors are NngErrors and leave it unusable.
 */
export class FrameDecoder {
  private readonly transport: Transport;
  private readonly options: FrameDecoderOptions;
  private readonly input: Buffer[] = [];
  private inputOffset = 0;
  private inputBytes = 0;
  private readonly prefix: Buffer;
  private prefixHave = 0;
  /** Length of the frame being read, or -1 while reading a prefix. */
  private bodyLength = -1;
  private body: Buffer | undefined;
  private bodyParts: Buffer[] | undefined;
  private bodyHave = 0;
  private failed: NngError | undefined;

  constructor(transport: Transport, options: FrameDecoderOptions) {
    this.transport = transport;
    this.options = options;
    this.prefix = Buffer.alloc(prefixSize(transport));
  }

  /** Bytes received and not yet returned as messages. */
  get bufferedBytes(): number {
    return this.inputBytes + this.prefixHave + this.bodyHave;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.input.push(chunk);
    this.inputBytes += chunk.length;
  }

  next(): Buffer | undefined {
    if (this.failed) throw this.failed;
    try {
      return this.step();
    } catch (err) {
      this.failed = err as NngError;
      this.input.length = 0;
      this.body = undefined;
      this.bodyParts = undefined;
      throw err;
    }
  }

  private step(): Buffer | undefined {
    if (this.bodyLength < 0) {
      if (!this.readPrefix()) return undefined;
      if (this.bodyLength === 0) {
        this.bodyLength = -1;
        return Buffer.alloc(0);
      }
    }
    return this.readBody();
  }

  private readPrefix(): boolean {
    const size = this.prefix.length;
    const head = this.input[0];
    if (this.prefixHave === 0 && head !== undefined && head.length - this.inputOffset >= size) {
      this.parsePrefix(head, this.inputOffset); // common case: parse in place
      this.consume(size);
      return true;
    }
    while (this.prefixHave < size) {
      const chunk = this.input[0];
      if (chunk === undefined) return false;
      const n = Math.min(size - this.prefixHave, chunk.length - this.inputOffset);
      chunk.copy(this.prefix, this.prefixHave, this.inputOffset, this.inputOffset + n);
      this.prefixHave += n;
      this.consume(n);
    }
    this.prefixHave = 0;
    this.parsePrefix(this.prefix, 0);
    return true;
  }

  private parsePrefix(source: Buffer, offset: number): void {
    let at = offset;
    if (this.transport === "ipc") {
      const type = source[at++];
      if (type !== IPC_MSG_TYPE) {
        throw new NngError(
          "PORTABLE_E_PROTOCOL",
          `ipc frame has message type 0x${(type ?? 0).toString(16).padStart(2, "0")}; only 0x01 exists`,
        );
      }
    }
    const high = source.readUInt32BE(at);
    const low = source.readUInt32BE(at + 4);
    // Checked on the two words, before forming a number that could lose precision.
    if (high > 0x1f_ffff) {
      throw new NngError(
        "PORTABLE_E_MSG_TOO_LARGE",
        `frame length 0x${high.toString(16)}${low.toString(16).padStart(8, "0")} is beyond 2^53: ` +
          "refusing it (corrupt stream or not an SP peer)",
      );
    }
    const length = high * 0x1_0000_0000 + low;
    const max = this.options.maxSize();
    if (max > 0 && length > max) {
      throw new NngError(
        "PORTABLE_E_MSG_TOO_LARGE",
        `message of ${length} bytes exceeds recvMaxSize (${max} bytes)`,
      );
    }
    if (length > HARD_MAX_MESSAGE) {
      throw new NngError(
        "PORTABLE_E_MSG_TOO_LARGE",
        `message of ${length} bytes exceeds the largest buffer Node can hold (${HARD_MAX_MESSAGE})`,
      );
    }
    this.bodyLength = length;
  }

  private readBody(): Buffer | undefined {
    const length = this.bodyLength;
    const head = this.input[0];
    if (head === undefined) return undefined;
    const started = this.body !== undefined || this.bodyParts !== undefined;
    if (!started && head.length - this.inputOffset >= length) {
      const message = head.subarray(this.inputOffset, this.inputOffset + length);
      this.consume(length);
      this.bodyLength = -1;
      return message;
    }
    if (!started) {
      if (length <= EAGER_ALLOC_LIMIT) {
        this.body = this.options.allocate
          ? this.options.allocate(length)
          : Buffer.allocUnsafe(length);
      } else {
        this.bodyParts = [];
      }
    }
    while (this.bodyHave < length) {
      const chunk = this.input[0];
      if (chunk === undefined) return undefined;
      const n = Math.min(length - this.bodyHave, chunk.length - this.inputOffset);
      if (this.body !== undefined) {
        chunk.copy(this.body, this.bodyHave, this.inputOffset, this.inputOffset + n);
      } else {
        this.bodyParts?.push(chunk.subarray(this.inputOffset, this.inputOffset + n));
      }
      this.bodyHave += n;
      this.consume(n);
    }
    let message: Buffer;
    if (this.body !== undefined) {
      message = this.body;
    } else {
      const parts = this.bodyParts ?? [];
      message = this.options.allocate ? this.options.allocate(length) : Buffer.allocUnsafe(length);
      let at = 0;
      for (const part of parts) {
        part.copy(message, at);
        at += part.length;
      }
    }
    this.body = undefined;
    this.bodyParts = undefined;
    this.bodyHave = 0;
    this.bodyLength = -1;
    return message;
  }

  private consume(n: number): void {
    this.inputOffset += n;
    this.inputBytes -= n;
    const head = this.input[0];
    if (head !== undefined && this.inputOffset >= head.length) {
      this.input.shift();
      this.inputOffset = 0;
    }
  }
}
