// A JSON reader that pulls bytes from a source in chunks, so a file larger than the longest
// string V8 can hold (~512 MiB) still parses. It accepts exactly the JSON grammar (RFC 8259)
// and builds the same values JSON.parse would, with two differences that a data file needs:
// a string longer than `longString` bytes must be base64 and is decoded while it streams in
// (its text never exists as one string), and a key repeated in one object is an error.
export interface ByteSource {
  /** Fills `into` from the start; returns how many bytes it wrote, 0 at the end. */
  read(into: Uint8Array): number;
}

/** The decoded bytes of a base64 string too long to be kept as text. */
export class Base64Bytes {
  constructor(readonly bytes: Uint8Array) {}
}

export class JsonSyntaxError extends Error {
  override readonly name = "JsonSyntaxError";
}

export interface JsonStreamOptions {
  /** Strings with more bytes than this must be base64; they come back as Base64Bytes. */
  longString?: number;
  /** Nesting limit, so hostile input cannot overflow the stack. */
  maxDepth?: number;
  chunkSize?: number;
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  let at = 0;
  return {
    read(into) {
      const n = Math.min(into.length, bytes.length - at);
      into.set(bytes.subarray(at, at + n));
      at += n;
      return n;
    },
  };
}

export function parseJsonStream(source: ByteSource, options: JsonStreamOptions = {}): unknown {
  return new Reader(source, options).document();
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NUMBER_TEXT = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

function isNumberByte(b: number): boolean {
  return b === 0x2d || b === 0x2b || b === 0x2e || b === 0x45 || b === 0x65 || (b >= 0x30 && b <= 0x39);
}

class Reader {
  private readonly buf: Buffer;
  private pos = 0;
  private end = 0;
  /** Bytes consumed before `buf[0]`, for error positions. */
  private offset = 0;
  private readonly longString: number;
  private readonly maxDepth: number;

  constructor(private readonly source: ByteSource, options: JsonStreamOptions) {
    this.buf = Buffer.allocUnsafe(options.chunkSize ?? 1 << 20);
    this.longString = options.longString ?? 1 << 20;
    this.maxDepth = options.maxDepth ?? 64;
  }

  document(): unknown {
    const value = this.value(0);
    if (this.skipSpace() !== -1) this.fail(`unexpected ${this.describe(this.peek())} after the end of the data`);
    return value;
  }

  private fill(): boolean {
    if (this.pos < this.end) return true;
    this.offset += this.end;
    this.pos = 0;
    this.end = this.source.read(this.buf);
    return this.end > 0;
  }

  private peek(): number {
    return this.fill() ? this.buf[this.pos]! : -1;
  }

  private fail(message: string): never {
    throw new JsonSyntaxError(`${message} at byte ${this.offset + this.pos}`);
  }

  private describe(byte: number): string {
    if (byte === -1) return "end of data";
    return byte >= 0x20 && byte < 0x7f ? `'${String.fromCharCode(byte)}'` : `byte 0x${byte.toString(16).padStart(2, "0")}`;
  }

  private skipSpace(): number {
    for (;;) {
      const b = this.peek();
      if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b;
      this.pos++;
    }
  }

  private expect(byte: number): void {
    const b = this.skipSpace();
    if (b !== byte) this.fail(`expected '${String.fromCharCode(byte)}' but found ${this.describe(b)}`);
    this.pos++;
  }

  private value(depth: number): unknown {
    if (depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth} levels`);
    const b = this.skipSpace();
    if (b === 0x7b) return this.object(depth);
    if (b === 0x5b) return this.array(depth);
    if (b === QUOTE) return this.string();
    if (b === 0x2d || (b >= 0x30 && b <= 0x39)) return this.number();
    if (b === 0x74) return this.literal("true", true);
    if (b === 0x66) return this.literal("false", false);
    if (b === 0x6e) return this.literal("null", null);
    this.fail(`unexpected ${this.describe(b)}`);
  }

  private object(depth: number): Record<string, unknown> {
    this.pos++;
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    if (this.skipSpace() === 0x7d) {
      this.pos++;
      return out;
    }
    for (;;) {
      if (this.skipSpace() !== QUOTE) this.fail(`expected a key in quotes but found ${this.describe(this.peek())}`);
      const key = this.string();
      if (typeof key !== "string") this.fail("a key longer than the string limit");
      if (seen.has(key)) this.fail(`duplicate key ${JSON.stringify(key)}`);
      seen.add(key);
      this.expect(0x3a);
      // Defined, not assigned, as JSON.parse does: a "__proto__" key stays an ordinary property.
      Object.defineProperty(out, key, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true });
      const next = this.skipSpace();
      this.pos++;
      if (next === 0x7d) return out;
      if (next !== 0x2c) this.fail(`expected ',' or '}' but found ${this.describe(next)}`);
    }
  }

  private array(depth: number): unknown[] {
    this.pos++;
    const out: unknown[] = [];
    if (this.skipSpace() === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      const next = this.skipSpace();
      this.pos++;
      if (next === 0x5d) return out;
      if (next !== 0x2c) this.fail(`expected ',' or ']' but found ${this.describe(next)}`);
    }
  }

  private literal<T>(text: string, value: T): T {
    for (let i = 0; i < text.length; i++) {
      if (this.peek() !== text.charCodeAt(i)) this.fail(`unexpected ${this.describe(this.peek())}`);
      this.pos++;
    }
    return value;
  }

  private number(): number {
    // Fast path: the whole number inside the current chunk, read without building it byte by byte.
    let i = this.pos;
    while (i < this.end && isNumberByte(this.buf[i]!)) i++;
    let text: string;
    if (i < this.end) {
      text = this.buf.toString("latin1", this.pos, i);
      this.pos = i;
    } else {
      text = "";
      for (let b = this.peek(); isNumberByte(b); b = this.peek()) {
        text += String.fromCharCode(b);
        this.pos++;
        if (text.length > 400) break;
      }
    }
    if (text.length > 400) this.fail("a number more than 400 characters long");
    if (!NUMBER_TEXT.test(text)) this.fail(`malformed number '${text}'`);
    return Number(text);
  }

  /** Short strings become text; long ones must be base64 and come back decoded. */
  private string(): string | Base64Bytes {
    this.pos++;
    const parts: Uint8Array[] = [];
    let size = 0;
    let escaped = false;
    for (;;) {
      if (!this.fill()) this.fail("unterminated string");
      const quote = this.find(QUOTE);
      const limit = quote < 0 ? this.end : quote;
      const slash = this.buf.subarray(this.pos, limit).indexOf(BACKSLASH);
      if (slash >= 0) {
        // Keep the backslash and the byte it escapes (which may start the next chunk) together,
        // so an escaped quote never ends the string.
        parts.push(this.copy(this.pos, this.pos + slash + 1));
        this.pos += slash + 1;
        if (!this.fill()) this.fail("unterminated string");
        parts.push(this.copy(this.pos, this.pos + 1));
        this.pos++;
        size += slash + 2;
        escaped = true;
      } else {
        parts.push(this.copy(this.pos, limit));
        size += limit - this.pos;
        this.pos = limit;
        if (quote >= 0) {
          this.pos++;
          return this.text(parts, size);
        }
      }
      if (size > this.longString) {
        if (escaped) this.fail(`a string of more than ${this.longString} bytes that is not base64 data`);
        return this.base64(parts);
      }
    }
  }

  /** The chunk's bytes `from`..`to`, copied: the chunk buffer is reused by the next read. */
  private copy(from: number, to: number): Uint8Array {
    return Uint8Array.prototype.slice.call(this.buf, from, to);
  }

  /** Index of `byte` in the unread part of the chunk, or -1. */
  private find(byte: number): number {
    const i = this.buf.indexOf(byte, this.pos);
    return i >= 0 && i < this.end ? i : -1;
  }

  private text(parts: Uint8Array[], size: number): string {
    const raw = Buffer.concat(parts, size).toString("utf8");
    // JSON.parse applies the escapes and rejects control characters and bad escapes.
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      this.fail("malformed string");
    }
  }

  /** Decodes a base64 string as it streams in: the bytes so far, then chunk by chunk to the quote. */
  private base64(start: Uint8Array[]): Base64Bytes {
    const decoded: Buffer[] = [];
    let pending = "";
    // Node's decoder skips characters outside the alphabet, so a short result means bad input;
    // '=' may only end the string.
    const take = (bytes: Uint8Array, last: boolean) => {
      const text = pending + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
      const pad = text.indexOf("=");
      const padded = pad >= 0 && text.length - pad <= 2 && /^=+$/.test(text.slice(pad));
      if (pad >= 0 && !padded) this.fail("malformed base64 data");
      // Mid-string, keep an incomplete quad (and any '=' that may yet end the string) for later.
      const whole = last ? text.length : pad >= 0 ? pad - (pad % 4) : text.length - (text.length % 4);
      if (whole % 4 !== 0) this.fail("malformed base64 data");
      const out = Buffer.from(text.slice(0, whole), "base64");
      if (out.length !== (whole / 4) * 3 - (last && pad >= 0 ? text.length - pad : 0)) this.fail("a long string that is not base64 data");
      decoded.push(out);
      pending = text.slice(whole);
    };
    for (const part of start) take(part, false);
    for (;;) {
      if (!this.fill()) this.fail("unterminated string");
      const quote = this.find(QUOTE);
      const stop = quote < 0 ? this.end : quote;
      take(this.buf.subarray(this.pos, stop), quote >= 0);
      this.pos = quote < 0 ? stop : stop + 1;
      if (quote >= 0) break;
    }
    const total = decoded.reduce((n, d) => n + d.length, 0);
    // A fresh, 8-byte-aligned buffer, so the bytes can be viewed as float64 without a copy.
    const bytes = new Uint8Array(new ArrayBuffer(total));
    let at = 0;
    for (const d of decoded) {
      bytes.set(d, at);
      at += d.length;
    }
    return new Base64Bytes(bytes);
  }
}
