import { ImportFileError, ImportInputError, type FilePosition } from './errors.js';
import { NulScanner } from './nul-scanner.js';

/** The input of importContacts: an async iterable of bytes or text, such as a Node readable stream. */
export type ImportInput = AsyncIterable<Uint8Array | string> | NodeJS.ReadableStream;

export type TextEncoding = 'utf8' | 'utf16le';

/** The start of the input, for detection, and the whole input as bytes without its byte order mark. */
export interface OpenedInput {
  encoding: TextEncoding;
  /** The decoded start of the input: its first line at least, unless that line is longer than HEAD_MAX_BYTES. */
  head: string;
  /**
   * The input after its byte order mark. The iteration throws an internal error
   * for a NUL character or a failed input stream, which the readers turn into an
   * import error with locateInputFailure.
   */
  chunks: AsyncIterable<Uint8Array>;
  /** Closes the input. Needed only when `chunks` is not read to its end or not read at all. */
  close(): Promise<void>;
}

// Parsers receive at most this much at a time, so the rows found in one
// write stay few even when the caller passes the whole file as one string.
const MAX_CHUNK_BYTES = 64 * 1024;

// Enough for any header row or JSON opening that detection needs to see.
const HEAD_MAX_BYTES = 64 * 1024;

// A binary file, such as a spreadsheet saved as .xlsx, nearly always has a NUL byte
// this close to its start, so the head is read this far before any of it is parsed
// as text. git makes the same test on 8,000 bytes (buffer_is_binary in xdiff-interface.c).
const BINARY_CHECK_BYTES = 8 * 1024;

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

const UTF8_BOM = [0xef, 0xbb, 0xbf];
const UTF16LE_BOM = [0xff, 0xfe];
const UTF16BE_BOM = [0xfe, 0xff];
// The local file header signature that starts a ZIP archive, and so an .xlsx or .docx file.
const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];

/** A NUL character in the input after its head, at a byte offset of the file. */
class NotTextError extends Error {
  constructor(
    readonly offset: number,
    readonly encoding: TextEncoding,
    readonly zip: boolean,
  ) {
    super(`NUL character at byte offset ${offset}`);
  }
}

/** The caller's input stream threw. */
class InputStreamError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/**
 * Reads the input up to the end of its first line, and at least 8 KiB of it,
 * and returns that start with the whole input, the start included, as byte
 * chunks. The byte order mark is removed and names the encoding: UTF-8 without
 * one, or UTF-16LE, in which Meta Lead Ads downloads are known to come.
 *
 * @param counter - receives the number of bytes read so far
 * @throws ImportFileError when the input starts with a UTF-16BE byte order mark
 * or has a NUL character in its head, before any of it is parsed
 */
export async function openInput(input: ImportInput, counter: { bytesRead: number }): Promise<OpenedInput> {
  const iterator = byteChunks(input, counter)[Symbol.asyncIterator]();

  // read the head
  const headParts: Uint8Array[] = [];
  let headLength = 0;
  let ended = false;
  let lineEnded = false;
  // A stream that fails while the head is read fails the import only after the rows received before it were read.
  let headFailure: unknown;
  while (headLength < HEAD_MAX_BYTES && !(lineEnded && headLength >= BINARY_CHECK_BYTES)) {
    let next: IteratorResult<Uint8Array>;
    try {
      next = await iterator.next();
    } catch (error) {
      if (!(error instanceof InputStreamError)) {
        throw error;
      }
      headFailure = error;
      ended = true;
      break;
    }
    if (next.done === true) {
      ended = true;
      break;
    }
    headParts.push(next.value);
    headLength += next.value.length;
    lineEnded ||= containsLineBreak(next.value);
  }
  let first = Buffer.concat(headParts);
  const zip = startsWith(first, ZIP_SIGNATURE);

  // strip the byte order mark
  let encoding: TextEncoding = 'utf8';
  let bomLength = 0;
  if (startsWith(first, UTF8_BOM)) {
    bomLength = UTF8_BOM.length;
  } else if (startsWith(first, UTF16LE_BOM)) {
    encoding = 'utf16le';
    bomLength = UTF16LE_BOM.length;
  } else if (startsWith(first, UTF16BE_BOM)) {
    await iterator.return(undefined);
    throw new ImportFileError(
      'unsupported_encoding',
      1,
      'the file is UTF-16BE (it starts with the byte order mark FE FF). Save it as UTF-8 or UTF-16LE and import it again',
    );
  }
  first = first.subarray(bomLength);
  const decoder = new TextDecoder(encoding === 'utf8' ? 'utf-8' : 'utf-16le');

  // look for binary content
  const nuls = new NulScanner(encoding === 'utf16le', bomLength);
  const headNul = nuls.scan(first);
  if (headNul !== undefined) {
    await iterator.return(undefined);
    const before = decoder.decode(first.subarray(0, headNul.cut));
    throw notText(new NotTextError(headNul.offset, encoding, zip), { line: 1 + (before.match(/\r\n|\r|\n/g)?.length ?? 0) });
  }

  const head = decoder.decode(first);

  async function* replay(): AsyncGenerator<Uint8Array> {
    try {
      if (first.length > 0) {
        yield first;
      }
      if (headFailure !== undefined) {
        throw headFailure;
      }
      while (!ended) {
        const next = await iterator.next();
        if (next.done === true) {
          return;
        }
        // The text before a NUL character is handed out, so the reader can tell the line where the NUL is.
        const nul = nuls.scan(next.value);
        if (nul !== undefined) {
          if (nul.cut > 0) {
            yield next.value.subarray(0, nul.cut);
          }
          throw new NotTextError(nul.offset, encoding, zip);
        }
        yield next.value;
      }
    } finally {
      // closes the caller's stream when the import stops early
      await iterator.return(undefined);
    }
  }

  const close = async (): Promise<void> => {
    await iterator.return(undefined);
  };
  return { encoding, head, chunks: replay(), close };
}

/**
 * Turns a failure raised by the iteration of OpenedInput.chunks into the
 * import error for the row or element at `at`, the first one not read. Other
 * errors are returned unchanged.
 */
export function locateInputFailure(error: unknown, at: FilePosition): unknown {
  if (error instanceof NotTextError) {
    return notText(error, at);
  }
  if (error instanceof InputStreamError) {
    return new ImportInputError(error.cause, at);
  }
  return error;
}

function notText(error: NotTextError, at: FilePosition): ImportFileError {
  const found = error.encoding === 'utf8' ? 'a NUL byte' : 'a NUL character';
  const zip = error.zip ? ' It looks like a ZIP archive, such as an Excel workbook (.xlsx).' : '';
  return new ImportFileError(
    'not_text',
    at,
    `the file is not text (found ${found} at byte offset ${error.offset}).${zip} Export the list as CSV or JSON and import that file`,
  );
}

async function* byteChunks(input: ImportInput, counter: { bytesRead: number }): AsyncGenerator<Uint8Array> {
  if (typeof input !== 'object' || input === null || !(Symbol.asyncIterator in input)) {
    throw new TypeError('invalid import input: expected an async iterable of Uint8Array or string chunks, such as a readable stream');
  }

  const source = (input as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  let sourceDone = false;
  try {
    while (true) {
      let next: IteratorResult<unknown>;
      try {
        next = await source.next();
      } catch (error) {
        // An iterator that threw is finished, so it is not closed again below.
        sourceDone = true;
        throw new InputStreamError(error);
      }
      if (next.done === true) {
        sourceDone = true;
        return;
      }

      const chunk = next.value;
      let bytes: Uint8Array;
      if (typeof chunk === 'string') {
        bytes = Buffer.from(chunk, 'utf8');
      } else if (chunk instanceof Uint8Array) {
        bytes = chunk;
      } else {
        throw new TypeError(`invalid import input chunk of type ${typeof chunk}: expected Uint8Array or string`);
      }

      counter.bytesRead += bytes.length;
      for (let start = 0; start < bytes.length; start += MAX_CHUNK_BYTES) {
        yield bytes.subarray(start, start + MAX_CHUNK_BYTES);
      }
    }
  } finally {
    if (!sourceDone) {
      await source.return?.();
    }
  }
}

function containsLineBreak(bytes: Uint8Array): boolean {
  return bytes.includes(LINE_FEED) || bytes.includes(CARRIAGE_RETURN);
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, index) => bytes[index] === byte);
}
