/**
 * Streaming RFC 4180 CSV: fields separated by `sep`, optionally quoted with
 * '"' ("" is a literal quote), quoted fields may hold separators and newlines;
 * records end with LF or CRLF; a UTF-8 BOM is dropped. Records are delivered
 * with the line number they start on so errors can point at them.
 */
import { DataError } from '../../errors.js';
import { readChunks } from '../io.js';

export async function readCsv(file: string, onRecord: (fields: string[], line: number) => void, sep = ','): Promise<number> {
  let fields: string[] = [];
  let field = '';
  let inQuotes = false, afterQuote = false, fieldStarted = false;
  let line = 1, recLine = 1, count = 0, first = true;
  const S = sep.charCodeAt(0);
  const endField = () => { fields.push(field); field = ''; afterQuote = false; fieldStarted = false; };
  const endRecord = () => {
    endField();
    if (!(fields.length === 1 && fields[0] === '')) { count++; onRecord(fields, recLine); } // skip blank lines
    fields = [];
  };
  await readChunks(file, (chunk) => {
    let i = 0;
    if (first) { first = false; if (chunk.charCodeAt(0) === 0xfeff) i = 1; }
    for (; i < chunk.length; i++) {
      const ch = chunk.charCodeAt(i);
      if (inQuotes) {
        if (ch === 34) { inQuotes = false; afterQuote = true; }
        else { if (ch === 10) line++; field += chunk[i]; }
        continue;
      }
      if (ch === 34) {
        if (afterQuote) { field += '"'; inQuotes = true; afterQuote = false; continue; } // "" inside a quoted field
        if (fieldStarted) throw new DataError(file, line, 'a quote inside an unquoted field (RFC 4180 requires the whole field quoted)');
        inQuotes = true; fieldStarted = true; continue;
      }
      if (ch === S) { endField(); continue; }
      if (ch === 10) { endRecord(); line++; recLine = line; continue; }
      if (ch === 13) continue; // CR of CRLF
      if (afterQuote) throw new DataError(file, line, `expected "${sep}" or end of line after a closing quote`);
      field += chunk[i]; fieldStarted = true;
    }
  }, { lineOf: () => line });
  if (inQuotes) throw new DataError(file, recLine, 'unterminated quoted field at end of file');
  if (field !== '' || fields.length || afterQuote) endRecord();
  return count;
}
