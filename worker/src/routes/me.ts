import { createRoute } from '@hono/zod-openapi';
import {
  AccountDeletedResponse,
  DeleteAccountRequest,
  errorBody,
  MeResponse,
  OkResponse,
  PasswordChangeRequest,
  RenameResponse,
  UpdateMeRequest,
} from '@giftstream/shared';
import { forgetSessions, hashPassword, inPasswordTurn, publicUser, verifyPassword } from '../auth';
import { now } from '../clock';
import type { Env } from '../env';
import { fail } from '../http';
import { access, json, replies, routes } from '../openapi';
import { currentRateCard } from '../rates';
import { getWallet } from '../stubs';
import { creatorProfileByUser, forgetCreators } from '../directory/creators';
import { passwordHashOf, renameUser, setPassword } from '../directory/users';

const me = createRoute({
  method: 'get',
  path: '/',
  summary: 'The user, wallet summary and creator profile',
  ...access('user'),
  responses: replies(MeResponse),
});

const rename = createRoute({
  method: 'patch',
  path: '/',
  summary: 'Change the display name',
  ...access('user'),
  request: { body: json(UpdateMeRequest) },
  responses: replies(RenameResponse),
});

const changePassword = createRoute({
  method: 'post',
  path: '/password',
  summary: 'Change the password; other sessions end',
  ...access('user'),
  request: { body: json(PasswordChangeRequest) },
  responses: replies(OkResponse),
});

const deleteAccount = createRoute({
  method: 'delete',
  path: '/',
  summary: 'Delete the account (personal data removed, ledger kept)',
  ...access('user'),
  request: { body: json(DeleteAccountRequest) },
  responses: replies(AccountDeletedResponse),
});

export const meRoutes = routes()
  .openapi(me, async (c) => {
    const user = c.get('user');
    const [wallet, creator] = await Promise.all([
      getWallet(c.env, user.id).summary(await currentRateCard(c.env)),
      creatorProfileByUser(c.env, user.id),
    ]);
    return c.json({ user: publicUser(user, now()), wallet, creator });
  })
  .openapi(rename, async (c) => {
    const user = { ...c.get('user'), display_name: c.req.valid('json').displayName };
    await renameUser(c.env, user.id, user.display_name);
    forgetSessions();
    forgetCreators();
    return c.json({ user: publicUser(user, now()) });
  })
  .openapi(changePassword, async (c) => {
    const body = c.req.valid('json');
    const user = c.get('user');
    if (!(await passwordMatches(c.env, user.id, body.currentPassword)))
      return fail(c, 'forbidden', 'The current password is wrong.', 'currentPassword');
    // A new password signs every other session out; this one stays.
    await setPassword(c.env, user.id, await hashPassword(body.newPassword), c.get('tokenHash'), now());
    forgetSessions();
    return c.json({ ok: true });
  })
  .openapi(deleteAccount, async (c) => {
    const { password, forfeit } = c.req.valid('json');
    const user = c.get('user');
    if (!(await passwordMatches(c.env, user.id, password)))
      return fail(c, 'forbidden', 'The password is wrong.', 'password');
    // The wallet closes first and tells the directory through its outbox (sessions, personal data, claims,
    // the room off air), so a crash halfway still ends with the whole account closed.
    const closed = await getWallet(c.env, user.id).close({ userId: user.id, forfeit });
    if (!closed.ok) {
      const { state } = closed;
      const [code, message] =
        closed.reason === 'in_debt'
          ? ([
              'in_debt',
              `This account owes ${state.debt} coins after a chargeback; buy coins to repay the debt before deleting it.`,
            ] as const)
          : ([
              'conflict',
              `Deleting this account forfeits ${state.coins} coins (${state.refundableCoins} of them still refundable), ` +
                `${state.diamonds} diamonds and ${state.pendingPayoutDiamonds} diamonds in pending payouts. ` +
                'Refund or cash out first, or repeat with "forfeit": true.',
            ] as const);
      return c.json({ ...errorBody(code, message), closing: state }, 409);
    }
    forgetSessions();
    forgetCreators();
    return c.json({
      deleted: true,
      forfeited: { coins: closed.forfeitedCoins, diamonds: closed.forfeitedDiamonds },
      withdrawnPayouts: closed.withdrawnPayouts,
    });
  });

/** Its read and its hash take the isolate's password turn together, as a sign-in does (crypto.ts). */
function passwordMatches(env: Env, userId: string, password: string): Promise<boolean> {
  return inPasswordTurn(async () => {
    const hash = await passwordHashOf(env, userId);
    return hash !== null && (await verifyPassword(password, hash));
  });
}
