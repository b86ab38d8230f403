/**
 * Finds the first NUL character of a text stream chunk by chunk: a zero byte in
 * UTF-8, or a zero code unit in UTF-16LE. UTF-16LE code units start at even byte
 * offsets, because the byte order mark has two bytes.
 */
export class NulScanner {
  /** True for UTF-16LE, false for UTF-8. */
  readonly #utf16le: boolean;
  /** Byte offset in the file of the next chunk. */
  #offset: number;
  /** UTF-16LE only: the last chunk ended with a zero byte that starts a code unit. */
  #zeroAtEnd = false;

  /** @param offset - byte offset in the file of the first chunk, after the byte order mark */
  constructor(utf16le: boolean, offset: number) {
    this.#utf16le = utf16le;
    this.#offset = offset;
  }

  /** Returns the file offset of the NUL character and the index of `bytes` where it starts, or undefined. */
  scan(bytes: Uint8Array): { offset: number; cut: number } | undefined {
    const base = this.#offset;
    this.#offset += bytes.length;

    if (!this.#utf16le) {
      const index = bytes.indexOf(0);
      return index === -1 ? undefined : { offset: base + index, cut: index };
    }

    if (this.#zeroAtEnd && bytes.length > 0) {
      this.#zeroAtEnd = false;
      if (bytes[0] === 0) {
        return { offset: base - 1, cut: 0 };
      }
    }
    for (let index = bytes.indexOf(0); index !== -1; index = bytes.indexOf(0, index + 1)) {
      if ((base + index) % 2 !== 0) {
        continue;
      }
      if (index + 1 === bytes.length) {
        this.#zeroAtEnd = true;
      } else if (bytes[index + 1] === 0) {
        return { offset: base + index, cut: index };
      }
    }
    return undefined;
  }
}
