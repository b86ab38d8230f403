import { ImportFileError } from './errors.js';

/** The input of importContacts: an async iterable of bytes or text, such as a Node readable stream. */
export type ImportInput = AsyncIterable<Uint8Array | string> | NodeJS.ReadableStream;

export type TextEncoding = 'utf8' | 'utf16le';

/** The start of the input, for detection, and the whole input as bytes without its byte order mark. */
export interface OpenedInput {
  encoding: TextEncoding;
  /** The decoded start of the input: its first line at least, unless that line is longer than HEAD_MAX_BYTES. */
  head: string;
  chunks: AsyncIterable<Uint8Array>;
  /** Closes the input. Needed only when `chunks` is not read to its end or not read at all. */
  close(): Promise<void>;
}

// Parsers receive at most this much at a time, so the rows found in one
// write stay few even when the caller passes the whole file as one string.
const MAX_CHUNK_BYTES = 64 * 1024;

// Enough for any header row or JSON opening that detection needs to see.
const HEAD_MAX_BYTES = 64 * 1024;

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

const UTF8_BOM = [0xef, 0xbb, 0xbf];
const UTF16LE_BOM = [0xff, 0xfe];
const UTF16BE_BOM = [0xfe, 0xff];

/**
 * Reads the input up to the end of its first line and returns that start with
 * the whole input, the start included, as byte chunks. The byte order mark is
 * removed and names the encoding: UTF-8 without one, or UTF-16LE, in which
 * Meta Lead Ads downloads are known to come.
 *
 * @param counter - receives the number of bytes read so far
 * @throws ImportFileError when the input starts with a UTF-16BE byte order mark
 */
export async function openInput(input: ImportInput, counter: { bytesRead: number }): Promise<OpenedInput> {
  const iterator = byteChunks(input, counter)[Symbol.asyncIterator]();

  // read the head
  const headParts: Uint8Array[] = [];
  let headLength = 0;
  let ended = false;
  let lineEnded = false;
  while (headLength < HEAD_MAX_BYTES && !lineEnded) {
    const next = await iterator.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    headParts.push(next.value);
    headLength += next.value.length;
    lineEnded = containsLineBreak(next.value);
  }
  let first = Buffer.concat(headParts);

  // strip the byte order mark
  let encoding: TextEncoding = 'utf8';
  if (startsWith(first, UTF8_BOM)) {
    first = first.subarray(UTF8_BOM.length);
  } else if (startsWith(first, UTF16LE_BOM)) {
    encoding = 'utf16le';
    first = first.subarray(UTF16LE_BOM.length);
  } else if (startsWith(first, UTF16BE_BOM)) {
    await iterator.return(undefined);
    throw new ImportFileError(
      'unsupported_encoding',
      1,
      'the file is UTF-16BE (it starts with the byte order mark FE FF). Save it as UTF-8 or UTF-16LE and import it again',
    );
  }

  const head = new TextDecoder(encoding === 'utf8' ? 'utf-8' : 'utf-16le').decode(first);

  async function* replay(): AsyncGenerator<Uint8Array> {
    try {
      if (first.length > 0) {
        yield first;
      }
      while (!ended) {
        const next = await iterator.next();
        if (next.done === true) {
          return;
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

async function* byteChunks(input: ImportInput, counter: { bytesRead: number }): AsyncGenerator<Uint8Array> {
  if (typeof input !== 'object' || input === null || !(Symbol.asyncIterator in input)) {
    throw new TypeError('invalid import input: expected an async iterable of Uint8Array or string chunks, such as a readable stream');
  }

  for await (const chunk of input as AsyncIterable<unknown>) {
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
}

function containsLineBreak(bytes: Uint8Array): boolean {
  return bytes.includes(LINE_FEED) || bytes.includes(CARRIAGE_RETURN);
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, index) => bytes[index] === byte);
}
