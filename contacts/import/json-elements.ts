import { JSONParser, TokenType } from '@streamparser/json';
import { ImportFileError, type FilePosition } from './errors.js';
import { locateInputFailure } from './input.js';
import { escapeControls, quote } from './quote.js';

/** One element of the top-level JSON array, the line where it starts and its position. */
export interface JsonElement {
  line: number;
  /** 1-based position in the array. */
  element: number;
  value: unknown;
}

const LINE_FEED = 0x0a;

const VALUE_START: ReadonlySet<TokenType> = new Set([
  TokenType.LEFT_BRACE,
  TokenType.LEFT_BRACKET,
  TokenType.STRING,
  TokenType.NUMBER,
  TokenType.TRUE,
  TokenType.FALSE,
  TokenType.NULL,
]);

class NotAnArrayError extends Error {}

/**
 * Reads a JSON array element by element with @streamparser/json and yields
 * the elements in groups, one group per input chunk. Only the element being
 * parsed is held in memory.
 *
 * The input is written to the parser one line at a time, so every token is
 * seen while the current line number is known. An element's line is the line
 * of its first token.
 *
 * @param firstLine - line number of the first byte of `chunks`
 * @param fileKind - the kind of file, for messages, such as `JSON file`
 * @throws ImportFileError when the input is not one JSON array, after
 * yielding the elements before the fault
 * @throws ImportFileError or ImportInputError, through locateInputFailure, when
 * the input has a NUL character or its stream fails, after yielding the elements before it
 */
export async function* readJsonArray(
  chunks: AsyncIterable<Uint8Array>,
  firstLine: number,
  fileKind: string,
): AsyncGenerator<JsonElement[]> {
  const parser = new JSONParser({ paths: ['$.*'], keepStack: false });
  const elements: JsonElement[] = [];
  let line = firstLine;
  let endsWithLineFeed = false;
  let depth = 0;
  let elementLine = firstLine;
  let elementsRead = 0;
  // True from the first token of an element to its end.
  let inElement = false;
  let started = false;
  let ended = false;
  let failure: ImportFileError | undefined;

  parser.onToken = ({ token, value }) => {
    if (!started) {
      started = true;
      if (token !== TokenType.LEFT_BRACKET) {
        throw new NotAnArrayError(`expected the ${fileKind} to be a JSON array of contacts, but it starts with ${quote(String(value))}`);
      }
    }
    if (depth === 1 && VALUE_START.has(token)) {
      elementLine = line;
      inElement = true;
    }
    if (token === TokenType.LEFT_BRACE || token === TokenType.LEFT_BRACKET) {
      depth += 1;
    } else if (token === TokenType.RIGHT_BRACE || token === TokenType.RIGHT_BRACKET) {
      depth -= 1;
    }
  };
  parser.onValue = ({ value }) => {
    elementsRead += 1;
    inElement = false;
    elements.push({ line: elementLine, element: elementsRead, value });
  };
  parser.onEnd = () => {
    ended = true;
  };
  parser.onError = (error) => {
    const at: FilePosition = inElement ? { line, element: elementsRead + 1 } : { line };
    failure ??= new ImportFileError('json_syntax', at, describeJsonError(error, fileKind, ended), error);
  };

  try {
    for await (const chunk of chunks) {
      for (let start = 0; start < chunk.length && failure === undefined; ) {
        const newline = chunk.indexOf(LINE_FEED, start);
        const end = newline === -1 ? chunk.length : newline + 1;
        parser.write(chunk.subarray(start, end));
        if (newline !== -1) {
          line += 1;
        }
        start = end;
      }
      endsWithLineFeed = chunk.length > 0 ? chunk[chunk.length - 1] === LINE_FEED : endsWithLineFeed;

      if (elements.length > 0) {
        yield elements.splice(0);
      }
      if (failure !== undefined) {
        throw failure;
      }
    }
  } catch (error) {
    // Every complete element has been handed out, so the first one not read is the next.
    throw locateInputFailure(error, { line: inElement ? elementLine : line, element: elementsRead + 1 });
  }

  if (!started) {
    throw new ImportFileError('empty_file', line, `the ${fileKind} is empty, expected a JSON array of contacts`);
  }
  if (!ended) {
    // A fault found at the end of the file belongs to its last line, not to the empty line after a final line feed.
    if (endsWithLineFeed) {
      line -= 1;
    }
    parser.end();
  }
  if (elements.length > 0) {
    yield elements.splice(0);
  }
  if (failure !== undefined) {
    throw failure;
  }
}

function describeJsonError(error: Error, fileKind: string, ended: boolean): string {
  if (error instanceof NotAnArrayError) {
    return error.message;
  }
  if (ended) {
    return `the ${fileKind} continues after the end of its JSON array. Remove what follows the closing ]`;
  }
  if (/ended in (mid-parsing|the middle of a token)/.test(error.message)) {
    return `the ${fileKind} ends inside its JSON array, so it is cut short or a closing ] is missing`;
  }

  // The messages of @streamparser/json 0.0.22 name the unexpected character or token.
  const character = /^Unexpected "(.*)" at position/s.exec(error.message);
  if (character !== null) {
    return `unexpected character ${quote(character[1] ?? '')} in the ${fileKind}, which is not valid JSON`;
  }
  const token = /^Unexpected \w+ \((.*)\) in state/s.exec(error.message);
  if (token !== null) {
    return `unexpected ${shortToken(token[1] ?? '')} in the ${fileKind}, which is not valid JSON`;
  }
  return `the ${fileKind} is not valid JSON. The parser reported: ${escapeControls(error.message.slice(0, MAX_PARSER_MESSAGE_CHARS))}`;
}

// A parser message can quote a whole string token of the file.
const MAX_PARSER_MESSAGE_CHARS = 200;

/** Cuts a token that the parser quoted, such as a long string, and escapes its control characters. */
function shortToken(token: string): string {
  try {
    const value: unknown = JSON.parse(token);
    if (typeof value === 'string') {
      return quote(value);
    }
  } catch {
    // Not a JSON value, such as a bare word: shown cut and escaped below.
  }
  return escapeControls(token.slice(0, 60));
}
