/**
 * Last.fm HetRec 2011 (hetrec2011-lastfm-2k): user_artists.dat (userID,
 * artistID, weight = play count; implicit feedback), artists.dat (UTF-8 names:
 * the item text), user_friends.dat (the social graph, kept as Dataset.social).
 * The tag assignment files are not used (tags.dat alone is only a vocabulary).
 * NOTE: the listening data has no timestamps; time is the file order, so
 * temporal protocols on lastfm split by file order within each user.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../../errors.js';
import { readLines, parseNumber } from '../io.js';
import { IdMap, Column, assembleDataset } from '../build.js';
import { csrFromEdges } from '../../sparse/build.js';
import type { Dataset } from '../types.js';

function expectHeader(file: string, line: string, want: string[]): void {
  const got = line.split('\t').map((s) => s.trim());
  if (want.some((w, k) => got[k] !== w)) throw new DataError(file, 1, `expected header "${want.join('\\t')}", got "${line.slice(0, 60)}"`);
}

export async function loadLastfm(dir: string, name = `lastfm:${dir}`): Promise<Dataset> {
  const users = new IdMap(), items = new IdMap();
  const names: string[] = [];
  const aFile = join(dir, 'artists.dat');
  const haveArtists = existsSync(aFile);
  if (haveArtists) {
    await readLines(aFile, (line, no) => {
      if (no === 1) return expectHeader(aFile, line, ['id', 'name']);
      if (line.trim() === '') return;
      const f = line.split('\t');
      if (f.length < 2) throw new DataError(aFile, no, `expected id<TAB>name<TAB>url<TAB>pictureURL, got ${f.length} field(s)`);
      if (items.has(f[0])) throw new DataError(aFile, no, `duplicate artist id "${f[0]}"`);
      items.id(f[0]); names.push(f[1]);
    });
  }
  const uaFile = join(dir, 'user_artists.dat');
  const U = new Column(Int32Array, 1 << 17), I = new Column(Int32Array, 1 << 17);
  const T = new Column(Float64Array, 1 << 17), R = new Column(Float32Array, 1 << 17);
  await readLines(uaFile, (line, no) => {
    if (no === 1) return expectHeader(uaFile, line, ['userID', 'artistID', 'weight']);
    if (line.trim() === '') return;
    const f = line.split('\t');
    if (f.length !== 3) throw new DataError(uaFile, no, `expected 3 tab-separated fields userID artistID weight, got ${f.length}`);
    const i = haveArtists ? items.get(f[1]) : items.id(f[1]);
    if (i === undefined) throw new DataError(uaFile, no, `artist id "${f[1]}" is not in artists.dat`);
    const w = parseNumber(f[2], uaFile, no, 'weight');
    U.push(users.id(f[0])); I.push(i); R.push(w); T.push(no);
  });
  if (U.length === 0) throw new DataError(uaFile, null, 'empty file (expected a header and userID artistID weight rows)');
  while (names.length < items.size) names.push('');
  // friends: both directions are listed in the file; keep the relation among known users
  const fFile = join(dir, 'user_friends.dat');
  let social = null;
  if (existsSync(fFile)) {
    const a: number[] = [], b: number[] = [];
    await readLines(fFile, (line, no) => {
      if (no === 1) return expectHeader(fFile, line, ['userID', 'friendID']);
      if (line.trim() === '') return;
      const f = line.split('\t');
      if (f.length !== 2) throw new DataError(fFile, no, `expected 2 tab-separated fields userID friendID, got ${f.length}`);
      const x = users.get(f[0]), y = users.get(f[1].trim());
      if (x !== undefined && y !== undefined) { a.push(x); b.push(y); }
    });
    social = csrFromEdges(users.size, users.size, a, b, null, { duplicates: 'binary' });
  }
  return assembleDataset({
    name, userIds: users.ids, itemIds: items.ids,
    raw: { user: U.toArray(), item: I.toArray(), time: T.toArray(), rating: R.toArray(), query: null },
    itemTexts: names, itemTitles: names, social,
  });
}
