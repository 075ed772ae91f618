/** JSON schemas of the HTTP routes (fastify validates before a handler runs; types are not coerced). */
import { FEEDBACK_TYPES } from '../recsys/recommender.js';

const id = { type: 'string', minLength: 1, maxLength: 256 } as const;
const kParam = { type: 'string', pattern: '^[0-9]{1,9}$' } as const;
/** A decision id as /recommend returns it: origin, '-', sequence number. */
export const decisionIdSchema = { type: 'string', minLength: 3, maxLength: 300, pattern: '^[A-Za-z0-9._:-]+-[0-9]{1,15}$' } as const;
const featureMap = { type: 'object', maxProperties: 64, additionalProperties: { type: ['string', 'integer'] } } as const;

export const recommendQuery = {
  type: 'object', required: ['user'],
  properties: { user: id, k: kParam, query: { type: 'string', maxLength: 1024 }, exclude: { type: 'string', maxLength: 65536 }, explain: { type: 'string', enum: ['true', 'false', '1', '0'] },
    seen: { type: 'string', enum: ['true', 'false', '1', '0'] }, time: { type: 'string', pattern: '^[0-9]{1,12}(\\.[0-9]{1,6})?$' }, session: id },
} as const;

export const suggestQuery = { type: 'object', required: ['user'], properties: { user: id, k: kParam } } as const;

export const feedbackBody = {
  type: 'object', required: ['events'],
  properties: {
    events: {
      type: 'array', minItems: 1, maxItems: 10_000,
      items: {
        type: 'object', required: ['user', 'item', 'type'],
        properties: { user: id, item: id, type: { type: 'string', enum: FEEDBACK_TYPES }, time: { type: 'number' }, decisionId: decisionIdSchema },
      },
    },
  },
} as const;

export const idParams = { type: 'object', required: ['id'], properties: { id } } as const;
export const userBody = { type: ['object', 'null'], properties: { features: featureMap } } as const;
export const itemBody = { type: ['object', 'null'], properties: { title: { type: 'string', maxLength: 1024 }, features: featureMap } } as const;
export const reloadBody = { type: ['object', 'null'], properties: { model: { type: 'string', minLength: 1 } } } as const;
