import { describe, expect, it } from 'vitest';
import { findBlockedWord, normalizeBlockedWords } from './moderation';

const blocked = ['badword', 'Spam'];

describe('blocked words', () => {
  it.each([
    ['this is BADWORD!', 'badword'],
    ['b a d w o r d', 'badword'],
    ['b.a.d.w.o.r.d here', 'badword'],
    ['ｂａｄｗｏｒｄ', 'badword'],
    ['bádwörd', 'badword'],
    ['bаdwоrd', 'badword'], // Cyrillic а and о
    ['b4dw0rd', 'badword'],
    ['spaaaam', 'spam'],
    ['$pam', 'spam'],
  ])('catches %s', (message, word) => {
    expect(findBlockedWord(message, blocked)).toBe(word);
  });

  it.each(['badwords are fine as part of another word? no: badwordsmith', 'a spammer', 'nothing to see', 'respam', ''])(
    'leaves %s alone',
    (message) => {
      expect(findBlockedWord(message, blocked)).toBeNull();
    },
  );

  it('normalizes the list itself', () => {
    expect(normalizeBlockedWords(['  Spam ', 'SPAM', 'bád'])).toEqual(['bad', 'spam']);
    expect(findBlockedWord('anything', [])).toBeNull();
  });
});

describe('spaced-out words inside a sentence', () => {
  it('are found even next to other single letters', () => {
    expect(findBlockedWord('this is a S C A M', ['scam'])).toBe('scam');
    expect(findBlockedWord('i a m here', ['scam'])).toBeNull();
  });
});

describe('symbols that are punctuation', () => {
  it('do not hide a word that ends a sentence', () => {
    expect(findBlockedWord('b4dw0rd!', ['badword'])).toBe('badword');
    expect(findBlockedWord('you are a $cammer', ['scam'])).toBeNull();
  });
});
