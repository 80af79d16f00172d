import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env';

/** One creator's live room. Its live sessions, gift log and event stream arrive with the live-rooms work. */
export class LiveRoom extends DurableObject<Env> {}
