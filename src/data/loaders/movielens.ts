/**
 * MovieLens 100K: u.data (user, item, rating, unix time; tabs), u.user
 * (id|age|gender|occupation|zip), u.item (latin-1; id|title|date|video|url|19
 * genre flags). Static user features: age band, gender, occupation, zip
 * region; item features: primary genre and release period. With no query log,
 * each item's genre combination is its query (DESIGN §4).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../../errors.js';
import { readLines, parseNumber } from '../io.js';
import { IdMap, Column, assembleDataset, bucket } from '../build.js';
import type { Dataset } from '../types.js';

const GENRES = ['unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama',
  'Fantasy', 'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western'];
const AGE_BOUNDS = [18, 25, 35, 45, 50, 56]; // the ML-1M age groups
const YEAR_BOUNDS = [1950, 1970, 1980, 1990, 1995]; // 6 periods + unknown

export async function loadMovieLens(dir: string, name = `movielens:${dir}`): Promise<Dataset> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DataError(dir, null, 'expected a directory holding u.data, u.user, u.item');
  const users = new IdMap(), items = new IdMap();
  // u.user: features, and the canonical user order
  const uFile = join(dir, 'u.user');
  const uf: number[] = [];
  const occupations = new IdMap();
  const occFile = join(dir, 'u.occupation');
  if (existsSync(occFile)) await readLines(occFile, (l) => { if (l.trim()) occupations.id(l.trim()); });
  const haveUsers = existsSync(uFile);
  if (haveUsers) {
    await readLines(uFile, (line, no) => {
      if (line.trim() === '') return;
      const f = line.split('|');
      if (f.length !== 5) throw new DataError(uFile, no, `expected 5 fields user_id|age|gender|occupation|zip, got ${f.length}`);
      if (users.has(f[0])) throw new DataError(uFile, no, `duplicate user id "${f[0]}"`);
      users.id(f[0]);
      const age = parseNumber(f[1], uFile, no, 'age');
      if (f[2] !== 'M' && f[2] !== 'F') throw new DataError(uFile, no, `expected gender M or F, got "${f[2]}"`);
      const zip0 = f[4].charCodeAt(0) - 48;
      uf.push(bucket(age, AGE_BOUNDS), f[2] === 'M' ? 0 : 1, occupations.id(f[3]), zip0 >= 0 && zip0 <= 9 ? zip0 : 10);
    });
  }
  // u.item: titles, genres, release period
  const iFile = join(dir, 'u.item');
  const haveItems = existsSync(iFile);
  const itemF: number[] = [], titles: string[] = [], texts: string[] = [], genreCombo: string[] = [];
  if (haveItems) {
    await readLines(iFile, (line, no) => {
      if (line.trim() === '') return;
      const f = line.split('|');
      if (f.length !== 5 + GENRES.length) throw new DataError(iFile, no, `expected ${5 + GENRES.length} |-separated fields, got ${f.length}`);
      if (items.has(f[0])) throw new DataError(iFile, no, `duplicate item id "${f[0]}"`);
      items.id(f[0]);
      const g: string[] = [];
      let primary = 0;
      for (let k = 0; k < GENRES.length; k++) {
        const flag = f[5 + k];
        if (flag !== '0' && flag !== '1') throw new DataError(iFile, no, `expected genre flag 0 or 1 in field ${6 + k}, got "${flag}"`);
        if (flag === '1') { if (g.length === 0) primary = k; g.push(GENRES[k]); }
      }
      const m = /(\d{4})\s*$/.exec(f[2]);
      itemF.push(primary, m ? bucket(Number(m[1]), YEAR_BOUNDS) : YEAR_BOUNDS.length + 1);
      const title = f[1].replace(/\s*\(\d{4}\)\s*$/, '');
      titles.push(f[1]); texts.push(`${title} ${g.join(' ')}`); genreCombo.push(g.join(' '));
    }, { encoding: 'latin1' });
  }
  // u.data: the ratings
  const dFile = join(dir, 'u.data');
  const U = new Column(Int32Array, 1 << 17), I = new Column(Int32Array, 1 << 17);
  const T = new Column(Float64Array, 1 << 17), R = new Column(Float32Array, 1 << 17);
  await readLines(dFile, (line, no) => {
    if (line.trim() === '') return;
    const f = line.split('\t');
    if (f.length !== 4) throw new DataError(dFile, no, `expected 4 tab-separated fields user item rating timestamp, got ${f.length}`);
    const u = haveUsers ? users.get(f[0]) : users.id(f[0]);
    if (u === undefined) throw new DataError(dFile, no, `user id "${f[0]}" is not in u.user`);
    const i = haveItems ? items.get(f[1]) : items.id(f[1]);
    if (i === undefined) throw new DataError(dFile, no, `item id "${f[1]}" is not in u.item`);
    U.push(u); I.push(i);
    R.push(parseNumber(f[2], dFile, no, 'rating'));
    T.push(parseNumber(f[3], dFile, no, 'timestamp'));
  });
  if (U.length === 0) throw new DataError(dFile, null, 'empty file (expected lines "user item rating timestamp")');
  // queries: one per distinct genre combination
  const queries = new IdMap();
  const itemQuery = genreCombo.map((g) => (g ? queries.id(g) : -1));
  const item = I.toArray();
  const query = new Int32Array(item.length);
  for (let k = 0; k < item.length; k++) query[k] = haveItems ? itemQuery[item[k]] : -1;
  return assembleDataset({
    name, userIds: users.ids, itemIds: items.ids,
    raw: { user: U.toArray(), item, time: T.toArray(), rating: R.toArray(), query },
    userFeatures: haveUsers ? { names: ['age_band', 'gender', 'occupation', 'zip_region'],
      cardinalities: [AGE_BOUNDS.length + 1, 2, Math.max(1, occupations.size), 11], values: Int32Array.from(uf) } : undefined,
    itemFeatures: haveItems ? { names: ['primary_genre', 'release_period'],
      cardinalities: [GENRES.length, YEAR_BOUNDS.length + 2], values: Int32Array.from(itemF) } : undefined,
    itemTexts: haveItems ? texts : undefined, itemTitles: haveItems ? titles : undefined,
    queryText: queries.ids,
  });
}
