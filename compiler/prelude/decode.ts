// Bytes a generated file carries as base64 text, decoded once at load without Buffer or atob: a
// standalone predictor's weights (little-endian float64: exact, and a quarter of the size of
// decimal text) and a wasm-backend module's kernels.

/** Base64 to bytes. */
export function decodeBase64(base64: string): Uint8Array {
  const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const lookup = new Uint8Array(128);
  for (let i = 0; i < 64; i++) lookup[digits.charCodeAt(i)] = i;
  let end = base64.length;
  while (end > 0 && base64[end - 1] === "=") end--;
  const bytes = new Uint8Array((end * 3) >> 2);
  let bits = 0;
  let acc = 0;
  let j = 0;
  for (let i = 0; i < end; i++) {
    acc = ((acc << 6) | lookup[base64.charCodeAt(i)]!) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[j++] = (acc >> bits) & 0xff;
    }
  }
  return bytes;
}

/** Base64 to float64 values (little-endian). */
export function decodeFloat64(base64: string): Float64Array {
  const bytes = decodeBase64(base64);
  const view = new DataView(bytes.buffer);
  const values = new Float64Array(bytes.length >> 3);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat64(i * 8, true);
  return values;
}
