// Preloaded into a real `netc` process (node --import) to simulate a full disk: once a file
// whose path contains $NETC_FAIL_WRITES_TO is opened for writing, writes to it put half of
// their bytes on disk and then fail with ENOSPC, as write(2) does when the disk fills up.
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";

const needle = process.env.NETC_FAIL_WRITES_TO;
if (needle) {
  const doomed = new Set();
  const { openSync, writeSync, closeSync } = fs;
  fs.openSync = function (path, flags, ...rest) {
    const fd = openSync.call(this, path, flags, ...rest);
    if (String(path).includes(needle) && /[wa+]/.test(String(flags))) doomed.add(fd);
    return fd;
  };
  fs.writeSync = function (fd, buffer, ...rest) {
    if (!doomed.has(fd)) return writeSync.call(this, fd, buffer, ...rest);
    const bytes = typeof buffer === "string" ? Buffer.from(buffer) : Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    writeSync.call(this, fd, bytes, 0, Math.floor(bytes.length / 2));
    throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", errno: -28, syscall: "write" });
  };
  fs.closeSync = function (fd) {
    doomed.delete(fd);
    return closeSync.call(this, fd);
  };
  syncBuiltinESMExports();
}
