import { Hono } from 'hono';
import { UpdateMeRequest } from '@giftstream/shared';
import { publicUser, requireUser } from '../auth';
import { now } from '../clock';
import type { AppEnv } from '../env';
import { valid } from '../http';
import { currentRateCard } from '../rates';
import { getWallet } from '../stubs';
import { creatorProfileByUser } from './creators';

export const meRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .get('/', async (c) => {
    const user = c.get('user');
    const [wallet, creator] = await Promise.all([getWallet(c.env, user.id).summary(await currentRateCard(c.env)), creatorProfileByUser(c.env, user.id)]);
    return c.json({ user: publicUser(user, now()), wallet, creator });
  })
  .patch('/', valid('json', UpdateMeRequest), async (c) => {
    const user = { ...c.get('user'), display_name: c.req.valid('json').displayName };
    await c.env.DB.prepare('UPDATE users SET display_name = ? WHERE id = ?').bind(user.display_name, user.id).run();
    return c.json({ user: publicUser(user, now()) });
  });
