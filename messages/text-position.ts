/**
 * Positions in a template's source text, in the units a browser text field
 * and most code editors use: offsets and columns count UTF-16 code units, so
 * an emoji before a position adds 2 to its column.
 */

/** A place in a text: `offset` from its start, and the same place as a 1-based line and column. */
export interface TextPosition {
  offset: number;
  line: number;
  column: number;
}

/**
 * Builds a function that converts offsets in `text` to line and column.
 * `\n`, `\r\n` and a lone `\r` each end a line.
 */
export function createPositionLocator(text: string): (offset: number) => TextPosition {
  const lineStarts = [0];
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (character === '\r' && text[index + 1] === '\n') continue;
    if (character === '\n' || character === '\r') lineStarts.push(index + 1);
  }

  return function locate(offset: number): TextPosition {
    // Binary search for the last line that starts at or before the offset.
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (lineStarts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { offset, line: low + 1, column: offset - lineStarts[low]! + 1 };
  };
}
