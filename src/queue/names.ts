/** Queue names: the default, and the check every --queue-name goes through. */
import { UserError } from '../errors.js';

/** The queue both `dpgcn experiment --queue` and `dpgcn worker` use unless told otherwise. */
export const DEFAULT_QUEUE_NAME = 'dpgcn-fits';

export function parseQueueName(option: string, name: string): string {
  // BullMQ builds its keys as prefix:name:..., so a colon would split them
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new UserError(`${option}: expected letters, digits, ".", "_" or "-", got "${name}"`);
  return name;
}
