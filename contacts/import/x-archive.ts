import { ImportFileError } from './errors.js';
import { locateInputFailure } from './input.js';
import { readJsonArray, type JsonElement } from './json-elements.js';
import { quote } from './quote.js';

// An X (Twitter) account archive stores followers in data/follower.js as a
// JavaScript assignment, `window.YTD.follower.part0 = [ ... ]`. Large
// archives split the list into part1, part2 and so on.
const FOLLOWER_ASSIGNMENT = /^window\.YTD\.follower\.part\d+\s*=$/;

// The assignment is about 30 bytes. Reading further for an `=` would only
// collect the body of a file that is not a follower archive.
const MAX_ASSIGNMENT_BYTES = 256;

const EQUALS_SIGN = 0x3d;
const LINE_FEED = 0x0a;

const FILE_KIND = 'X archive follower file';

/**
 * Reads the follower elements of an X archive `data/follower.js`: removes
 * the assignment before the first `=` and reads the rest as a JSON array.
 *
 * @throws ImportFileError when the file does not start with the follower
 * assignment, or as readJsonArray does
 */
export async function* readXFollowerArray(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<JsonElement[]> {
  const iterator = chunks[Symbol.asyncIterator]();

  try {
    // find the assignment
    let assignment = Buffer.alloc(0);
    let rest: Uint8Array | undefined;
    while (assignment.length <= MAX_ASSIGNMENT_BYTES) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await iterator.next();
      } catch (error) {
        throw locateInputFailure(error, { line: 1, element: 1 });
      }
      if (next.done === true) {
        break;
      }
      const equals = next.value.indexOf(EQUALS_SIGN);
      if (equals !== -1) {
        assignment = Buffer.concat([assignment, next.value.subarray(0, equals + 1)]);
        rest = next.value.subarray(equals + 1);
        break;
      }
      assignment = Buffer.concat([assignment, next.value]);
    }

    const text = assignment.toString('utf8');
    if (rest === undefined || !FOLLOWER_ASSIGNMENT.test(text.trim())) {
      const found = (text.trimStart().split(/\r\n|\r|\n/)[0] ?? '').slice(0, 40);
      throw new ImportFileError(
        'x_archive_prefix',
        1,
        'expected the X archive file data/follower.js, which starts with "window.YTD.follower.part0 =", ' +
          `but the file starts with ${quote(found)}`,
      );
    }

    // read the array after it
    const firstLine = 1 + assignment.filter((byte) => byte === LINE_FEED).length;
    yield* readJsonArray(concatenate(rest, iterator), firstLine, FILE_KIND);
  } finally {
    await iterator.return?.();
  }
}

async function* concatenate(first: Uint8Array, iterator: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield first;
  for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
    yield next.value;
  }
}
