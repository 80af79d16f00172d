import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { privacyFacts, privacyHtml } from '../src/privacy-page';
import { api } from './helpers';

describe('the privacy page', () => {
  it('renders what is sent, to whom, what is kept and how to delete an account', async () => {
    const r = await api('/privacy');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/html');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    for (const heading of [
      'Who receives your data',
      'What the extension sends',
      'What is kept, and for how long',
      'Deleting your account',
    ])
      expect(r.text).toContain(heading);
    expect(r.text).toContain('DELETE /v1/me');
    // The session length is the deployment's own.
    expect(r.text).toContain(`${Number(env.SESSION_TTL_DAYS)} days from sign-in`);
  });

  it('names the operator from configuration, as text, with a contact link', async () => {
    const r = await api('/privacy', {
      env: { ...env, OPERATOR_NAME: 'Gifts <b>Ltd</b>', OPERATOR_CONTACT: 'privacy@gifts.example.com' },
    });
    expect(r.text).toContain('Gifts &#60;b&#62;Ltd&#60;/b&#62;');
    expect(r.text).not.toContain('<b>Ltd');
    expect(r.text).toContain('<a href="mailto:privacy@gifts.example.com">');
  });

  it('says plainly when the operator has given no contact', async () => {
    const r = await api('/privacy', { env: { ...env, OPERATOR_NAME: '', OPERATOR_CONTACT: '' } });
    expect(r.text).toContain('the operator of this Giftstream server');
    expect(r.text).toContain('has not published a contact address');
  });

  it('links the terms only where the deployment serves them', () => {
    const facts = privacyFacts({ ...env, OPERATOR_NAME: 'Op' }, null);
    expect(privacyHtml(facts)).not.toContain('Terms of service');
    expect(privacyHtml({ ...facts, termsPath: '/terms' })).toContain('<a href="/terms">Terms of service</a>');
  });

  it('says who takes payments in Stripe mode', () => {
    const facts = privacyFacts({ ...env, STRIPE_SECRET_KEY: 'sk_test_x' }, null);
    expect(privacyHtml(facts)).toContain("Stripe's own checkout page");
    expect(privacyHtml({ ...facts, stripe: false })).toContain('sandbox mode');
  });
});
