import { describe, expect, it } from 'vitest';
import { BuildConfigError, DEFAULT_GECKO_ID, LOCAL_SERVER, readBuildConfig } from '../build-config';

const fails = (env: Record<string, string>) => {
  try {
    readBuildConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(BuildConfigError);
    return (e as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
};

describe('the build for a deployment', () => {
  it('without variables is the local build', () => {
    const c = readBuildConfig({});
    expect(c).toMatchObject({ server: LOCAL_SERVER, local: true, name: 'Giftstream', geckoId: DEFAULT_GECKO_ID });
    expect(c.hostPermissions).toEqual(['http://localhost/*', 'http://127.0.0.1/*']);
  });

  it("takes the deployment's origin as the default server and its only host permission", () => {
    const c = readBuildConfig({
      GIFTSTREAM_SERVER: 'https://Gifts.Example.com/',
      GIFTSTREAM_NAME: 'Example Gifts',
      GIFTSTREAM_DESCRIPTION: 'Gifts for our streams.',
      GIFTSTREAM_GECKO_ID: 'gifts@example.com',
    });
    expect(c).toMatchObject({
      server: 'https://gifts.example.com',
      local: false,
      name: 'Example Gifts',
      description: 'Gifts for our streams.',
      geckoId: 'gifts@example.com',
    });
    expect(c.hostPermissions).toEqual(['https://gifts.example.com/*']);
    expect(readBuildConfig({ GIFTSTREAM_SERVER: 'https://gifts.example.com:8443' }).server).toBe(
      'https://gifts.example.com:8443',
    );
  });

  it('allows http for this machine only', () => {
    expect(readBuildConfig({ GIFTSTREAM_SERVER: 'http://localhost:9000' })).toMatchObject({
      server: 'http://localhost:9000',
      local: true,
      hostPermissions: ['http://localhost/*', 'http://127.0.0.1/*'],
    });
    expect(readBuildConfig({ GIFTSTREAM_SERVER: 'http://127.0.0.1:9000' }).server).toBe('http://127.0.0.1:9000');
    expect(fails({ GIFTSTREAM_SERVER: 'http://gifts.example.com' })).toContain('is not https');
  });

  it('refuses what is not an origin, in one line', () => {
    for (const [value, why] of [
      ['gifts.example.com', 'is not a URL'],
      ['ftp://gifts.example.com', 'uses ftp:'],
      ['https://gifts.example.com/api', 'has a path'],
      ['https://gifts.example.com?x=1', 'has a path, query'],
      ['https://gifts.example.com/#top', 'has a path, query or fragment'],
      ['https://me:secret@gifts.example.com', 'user name or password'],
    ]) {
      const message = fails({ GIFTSTREAM_SERVER: value! });
      expect(message).toContain(why!);
      expect(message).toContain('expected an https origin');
      expect(message).not.toContain('\n');
    }
  });

  it('refuses names, descriptions and add-on ids the stores would refuse', () => {
    expect(fails({ GIFTSTREAM_NAME: 'x'.repeat(76) })).toBe(
      'GIFTSTREAM_NAME is 76 characters; the stores accept at most 75',
    );
    expect(fails({ GIFTSTREAM_DESCRIPTION: 'x'.repeat(133) })).toContain('at most 132');
    expect(fails({ GIFTSTREAM_NAME: 'Two\nlines' })).toContain('control character');
    expect(fails({ GIFTSTREAM_NAME: '   ' })).toBe('GIFTSTREAM_NAME is blank');
    expect(fails({ GIFTSTREAM_GECKO_ID: 'not an id' })).toContain('is not an add-on id');
    expect(readBuildConfig({ GIFTSTREAM_GECKO_ID: '{12345678-1234-1234-1234-123456789abc}' }).geckoId).toBe(
      '{12345678-1234-1234-1234-123456789abc}',
    );
  });
});
