import { PAGE_CSP } from '../pages';

/**
 * Headers of the pages a site's redirect lands on (`noticeHtml` in ../pages.ts). No referrer leaves them
 * and nothing caches them: the URL holds the one-time code.
 */
export const OAUTH_PAGE_HEADERS = {
  'content-security-policy': PAGE_CSP,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};
