/**
 * GET /segments and GET /users/:id/segment (issue 19): the market segments
 * of the served model (recsys/served_segments.ts), from a file written by
 * `dpgcn segments --out` or computed from the model file at start. A user
 * added at run time (PUT /users/:id) is assigned to the nearest centroid.
 */
import type { FastifyInstance } from 'fastify';
import { NotFoundError, type Recommender } from '../recsys/recommender.js';
import type { ServedSegments } from '../recsys/served_segments.js';
import * as schemas from './schemas.js';

export function registerSegments(app: FastifyInstance, c: { segments(): ServedSegments | null; current(): Recommender }): void {
  const need = (): ServedSegments => {
    const s = c.segments();
    if (!s) throw new NotFoundError('segments', 'segments: none loaded: start the server with --segments FILE (written by dpgcn segments --model MODEL --out FILE) or --segments compute');
    return s;
  };
  app.get('/segments', async () => need().list());
  app.get('/users/:id/segment', { schema: { params: schemas.idParams } }, async (req) => {
    const id = (req.params as { id: string }).id, rec = c.current();
    if (!rec.hasUser(id)) throw new NotFoundError('user', `user: unknown user "${id}"`);
    const seg = need();
    const held = rec.exportUser(id) as { added: boolean; features: Record<string, number> };
    // an added user is folded in from its features, even if a user of the segmented model once had its id
    const a = held.added ? seg.assign(`\u0000added:${id}`, held.features) : seg.assign(id, null) ?? seg.assign(`\u0000added:${id}`, held.features);
    if (!a) throw new NotFoundError('user', `user: "${id}" has no segment`);
    return { ...a, user: id, k: seg.file.k, representation: seg.file.representation };
  });
}
