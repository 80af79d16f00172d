// The creator's blocked-words list, and the gift messages a blocked word hid.
import { useEffect, useState } from 'preact/hooks';
import type { HiddenMessage } from '../lib/api';
import type { ReplyError } from '../lib/replies';
import { ErrorNote, Note, useAsk, when } from './ui';

/** The server's limits on the blocked-words list (ModerationRequest). */
const MAX_WORDS = 200;
const MAX_WORD_LENGTH = 40;

/** Words typed into the box: separated by commas, trimmed, empty ones dropped. */
function splitWords(input: string): string[] {
  return input
    .split(',')
    .map((w) => w.normalize('NFC').trim())
    .filter(Boolean);
}

/** The list with the typed words added (a word already there in any case is skipped), or why one cannot be. */
function addWords(list: string[], input: string): { words: string[] } | { problem: string } {
  const next = [...list];
  for (const w of splitWords(input)) {
    if (w.length > MAX_WORD_LENGTH) return { problem: `“${w}” is longer than ${MAX_WORD_LENGTH} characters.` };
    if (next.some((x) => x.toLowerCase() === w.toLowerCase())) continue;
    if (next.length >= MAX_WORDS) return { problem: `The list holds at most ${MAX_WORDS} words.` };
    next.push(w);
  }
  return { words: next };
}

/**
 * The blocked-words list: shown as the server keeps it (normalized and sorted), edited locally (add with
 * Enter or commas, remove), then saved as a whole. Below it, the gift messages a blocked word hid.
 */
export function BlockedWords() {
  const list = useBlockedWords();
  const { words, saved, draft } = list;
  return (
    <>
      <h3>Blocked words</h3>
      <p class="muted">
        A gift whose message contains one of these words is shown without its message. Matching ignores case, accents,
        spacing tricks and look-alike letters.
      </p>
      {words.length > 0 ? (
        <WordChips words={words} onRemove={list.remove} />
      ) : (
        <p class="muted">{saved === null ? 'Loading…' : 'No blocked words.'}</p>
      )}
      <div class="row">
        <input
          class="grow"
          name="blockedWord"
          aria-label="Add blocked words"
          placeholder="Words, separated by commas or Enter"
          value={draft}
          onInput={(e) => list.onInput(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key !== 'Enter' || e.isComposing) return;
            e.preventDefault();
            list.commit();
          }}
        />
        <button type="button" disabled={!draft.trim()} onClick={list.commit}>
          Add
        </button>
        <button
          type="button"
          class="primary"
          name="saveBlockedWords"
          disabled={list.saving || saved === null || !list.changed}
          onClick={() => void list.save()}
        >
          Save
        </button>
      </div>
      <p class="muted">
        {words.length} of {MAX_WORDS} words
      </p>
      {list.problem && <Note kind="warn">{list.problem}</Note>}
      {list.note && <Note kind="ok">{list.note}</Note>}
      <ErrorNote error={list.error} context={{ where: 'popup' }} />
      <HiddenMessages hidden={list.hidden} />
    </>
  );
}

/** The list as the server keeps it (`saved`), as the creator is editing it (`words`), and the word being typed. */
function useBlockedWords() {
  const ask = useAsk();
  const [saved, setSaved] = useState<string[] | null>(null);
  const [words, setWords] = useState<string[]>([]);
  const [hidden, setHidden] = useState<HiddenMessage[]>([]);
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<ReplyError | null>(null);
  const [saving, setSaving] = useState(false);

  async function load() {
    const r = await ask({ type: 'creator.moderation' });
    if (!r.ok) return setError(r.error);
    setError(null);
    setSaved(r.data.blockedWords);
    setWords(r.data.blockedWords);
    setHidden(r.data.hidden);
  }
  useEffect(() => void load(), []);

  /** Adds words to the list; returns the list, or null (and says why) when one cannot be added. */
  function add(input: string): string[] | null {
    const added = addWords(words, input);
    if ('problem' in added) {
      setProblem(added.problem);
      return null;
    }
    setProblem(null);
    setNote(null);
    setWords(added.words);
    return added.words;
  }

  async function save() {
    // A word still in the box is part of what the creator means to save.
    const list = draft.trim() ? add(draft) : words;
    if (!list) return;
    setDraft('');
    setSaving(true);
    setError(null);
    setNote(null);
    const r = await ask({ type: 'creator.setBlockedWords', blockedWords: list });
    setSaving(false);
    if (!r.ok) return setError(r.error);
    setSaved(r.data.blockedWords);
    setWords(r.data.blockedWords);
    setNote(
      r.data.blockedWords.length
        ? 'Saved. Gifts whose message contains one of these words are shown without the message.'
        : 'Saved. No words are blocked.',
    );
  }

  return {
    saved,
    words,
    hidden,
    draft,
    problem,
    note,
    error,
    saving,
    save,
    changed:
      saved === null || words.length !== saved.length || words.some((w, i) => w !== saved[i]) || draft.trim() !== '',
    onInput(value: string) {
      // A comma ends a word: what comes before it joins the list, the rest stays in the box.
      const cut = value.lastIndexOf(',');
      if (cut >= 0 && add(value.slice(0, cut))) return setDraft(value.slice(cut + 1).trimStart());
      setDraft(value);
    },
    commit() {
      if (add(draft)) setDraft('');
    },
    remove(word: string) {
      setNote(null);
      setWords(words.filter((x) => x !== word));
    },
  };
}

function WordChips({ words, onRemove }: { words: string[]; onRemove(word: string): void }) {
  return (
    <ul class="chips" aria-label="Blocked words">
      {words.map((w) => (
        <li key={w} class="chip">
          {w}
          <button type="button" class="link" aria-label={`Remove ${w}`} onClick={() => onRemove(w)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

function HiddenMessages({ hidden }: { hidden: HiddenMessage[] }) {
  return (
    <>
      <h3>Hidden messages</h3>
      {hidden.length === 0 ? (
        <p class="muted">No messages hidden.</p>
      ) : (
        <ul class="hidden-messages" aria-label="Hidden messages">
          {hidden.map((h) => (
            <li key={h.giftId}>
              <span class="muted">{when(h.at)}</span> <strong>{h.from}</strong>: <q>{h.message}</q>{' '}
              <span class="muted">hidden for “{h.word}”</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
