import type { JSX } from 'preact';

/**
 * Giftstream's own gift art: one inline SVG per catalog gift (no remote assets, nothing to load), drawn
 * on a 64×64 grid with flat fills and a white gloss so it reads at toast size and at epic size alike.
 */
const gloss = (d: string) => <path d={d} fill="#fff" opacity=".35" />;

export const GIFT_ART: Record<string, () => JSX.Element> = {
  heart: () => (
    <>
      <path d="M32 56 8 32C1 25 2 13 11 9c7-3 15 0 21 8 6-8 14-11 21-8 9 4 10 16 3 23z" fill="#ff3d6e" />
      {gloss('M14 15c4-3 10-2 13 3-5-2-9-1-13 4-2-2-2-5 0-7z')}
    </>
  ),
  rose: () => (
    <>
      <path d="M31 34c1 9 0 16-2 26" stroke="#2e9d4f" stroke-width="4" fill="none" stroke-linecap="round" />
      <path d="M30 48c-8-6-16-5-19-1 7 3 13 4 19 1z" fill="#3bb560" />
      <path d="M32 36c-11 0-17-8-16-20 5 4 9 3 16-6 7 9 11 10 16 6 1 12-5 20-16 20z" fill="#e8173c" />
      <path d="M24 16c3 5 5 9 8 10 3-1 5-5 8-10-3 1-5 2-8-2-3 4-5 3-8 2z" fill="#b3002a" />
      {gloss('M20 20c1 6 4 10 9 12-6 0-10-4-9-12z')}
    </>
  ),
  coffee: () => (
    <>
      <path
        d="M24 6c-3 4 3 6 0 10M32 4c-3 4 3 6 0 10M40 6c-3 4 3 6 0 10"
        stroke="#fff"
        stroke-width="2.5"
        fill="none"
        opacity=".7"
        stroke-linecap="round"
      />
      <path d="M46 28h4a8 8 0 0 1 0 16h-5" stroke="#f4f1ea" stroke-width="5" fill="none" />
      <path d="M12 22h36l-4 30c-1 5-4 7-8 7H24c-4 0-7-2-8-7z" fill="#f4f1ea" />
      <path d="M14 26h32l-1 6H15z" fill="#7a4a2a" />
      <path d="M8 58h44" stroke="#c9c2b4" stroke-width="4" stroke-linecap="round" />
      {gloss('M18 34h4l2 18h-3z')}
    </>
  ),
  star: () => (
    <>
      <path
        d="m32 4 8 18 19 2-14 13 4 19-17-10-17 10 4-19L5 24l19-2z"
        fill="#ffc92e"
        stroke="#f29a00"
        stroke-width="2"
        stroke-linejoin="round"
      />
      {gloss('m32 12 5 12-5 2-5-2z')}
    </>
  ),
  pizza: () => (
    <>
      <path d="M8 14c16-8 32-8 48 0L32 60z" fill="#ffcf5a" />
      <path d="M8 14c16-8 32-8 48 0l-3 6c-14-6-28-6-42 0z" fill="#d98a2b" />
      <circle cx="24" cy="26" r="5" fill="#d6333d" />
      <circle cx="39" cy="27" r="4.5" fill="#d6333d" />
      <circle cx="31" cy="40" r="4.5" fill="#d6333d" />
      <circle cx="34" cy="51" r="2.5" fill="#3d9a3f" />
    </>
  ),
  balloon: () => (
    <>
      <path d="M32 46c1 6-4 8-2 16" stroke="#e9e4ff" stroke-width="1.5" fill="none" />
      <path d="M32 46c-12 0-20-12-20-24C12 11 21 3 32 3s20 8 20 19c0 12-8 24-20 24z" fill="#8b5cff" />
      <path d="m29 46 3 4 3-4z" fill="#6c3df0" />
      {gloss('M20 14c3-5 8-7 12-7-5 3-8 8-8 15-3-1-5-4-4-8z')}
    </>
  ),
  trophy: () => (
    <>
      <path d="M18 10c-10 0-12 14 2 18M46 10c10 0 12 14-2 18" stroke="#f0b400" stroke-width="4" fill="none" />
      <path d="M16 6h32v12c0 10-7 18-16 18S16 28 16 18z" fill="#ffc82c" />
      <path d="M28 36h8v10h-8z" fill="#e0a800" />
      <path d="M20 46h24v6H20zM16 52h32v7H16z" fill="#8a5a2b" />
      {gloss('M21 10h5v10c0 5 2 9 4 11-6-2-9-7-9-11z')}
    </>
  ),
  diamond_ring: () => (
    <>
      <circle cx="32" cy="42" r="15" stroke="#ffc82c" stroke-width="5" fill="none" />
      <path d="M22 14h20l6 7-16 14-16-14z" fill="#7fe3ff" />
      <path d="M22 14h20l6 7H16zM26 21l6 14 6-14" fill="#bff2ff" stroke="#4cc3e6" stroke-width="1" />
      {gloss('M24 16h6l-2 4h-6z')}
      <path d="M50 8l2 4 4 2-4 2-2 4-2-4-4-2 4-2z" fill="#fff" />
    </>
  ),
  fireworks: () => (
    <g stroke-width="3" stroke-linecap="round">
      <path d="M24 26V8M24 26 11 13M24 26H6M24 26 11 39M24 26l13-13M24 26h13M24 26v13" stroke="#ff4fa0" />
      <path d="M44 40V27M44 40l9-9M44 40h13M44 40l9 9M44 40v13M44 40l-9 9" stroke="#ffd23f" />
      <path d="M16 52v-6M16 52h-6M16 52l5 5M16 52l5-5" stroke="#4fd1ff" />
      <circle cx="24" cy="26" r="3" fill="#fff" stroke="none" />
      <circle cx="44" cy="40" r="3" fill="#fff" stroke="none" />
    </g>
  ),
  sports_car: () => (
    <>
      <path d="M4 42c0-6 3-9 9-10l9-8c3-3 6-4 10-4h8c4 0 7 2 10 5l6 7c4 1 4 4 4 10v3H4z" fill="#ff3b30" />
      <path d="M24 26c2-2 4-3 8-3h7c3 0 5 1 7 4l3 5H18z" fill="#22334d" />
      <path d="M33 23v9" stroke="#ff3b30" stroke-width="2" />
      <circle cx="16" cy="46" r="7" fill="#1a1a1a" />
      <circle cx="48" cy="46" r="7" fill="#1a1a1a" />
      <circle cx="16" cy="46" r="3" fill="#c9ccd3" />
      <circle cx="48" cy="46" r="3" fill="#c9ccd3" />
      <path d="M56 36h4" stroke="#ffe36b" stroke-width="3" />
      {gloss('M10 34h44v2H8z')}
    </>
  ),
  castle: () => (
    <>
      <path d="M14 12V2M50 12V2" stroke="#6b7a93" stroke-width="2" />
      <path d="M15 2l9 3-9 3zM51 2l9 3-9 3z" fill="#ff4f6d" />
      <path
        d="M6 18h16v42H6zM42 18h16v42H42zM6 12h4v6H6zM12 12h4v6h-4zM18 12h4v6h-4zM42 12h4v6h-4zM48 12h4v6h-4zM54 12h4v6h-4z"
        fill="#c3cde0"
      />
      <path d="M22 30h20v30H22zM22 24h4v6h-4zM30 24h4v6h-4zM38 24h4v6h-4z" fill="#9aa7bd" />
      <path d="M27 60V49a5 5 0 0 1 10 0v11z" fill="#5a3b22" />
      <path d="M12 26h4v8h-4zM48 26h4v8h-4z" fill="#3b4a66" />
    </>
  ),
  rocket: () => (
    <>
      <path d="M26 50c0 6 3 10 6 14 3-4 6-8 6-14z" fill="#ff8a1f" />
      <path d="M29 50c0 4 1 6 3 9 2-3 3-5 3-9z" fill="#ffe14d" />
      <path d="M20 38 10 50l12-2zM44 38l10 12-12-2z" fill="#ff3b5c" />
      <path d="M32 2c10 8 14 20 12 36l-2 12H22l-2-12C18 22 22 10 32 2z" fill="#eef2f8" />
      <path d="M32 2c4 3 7 7 9 12H23c2-5 5-9 9-12z" fill="#ff3b5c" />
      <circle cx="32" cy="27" r="6" fill="#3fa9ff" stroke="#8fa3bf" stroke-width="3" />
      {gloss('M24 20c-2 8-2 18 0 28h-2c-2-10-2-20 2-28z')}
    </>
  ),
  galaxy: () => (
    <>
      <ellipse cx="32" cy="32" rx="29" ry="13" fill="#4b2a9a" transform="rotate(-25 32 32)" />
      <ellipse cx="32" cy="32" rx="20" ry="8" fill="#8b4dff" transform="rotate(-25 32 32)" />
      <path
        d="M32 32c8-10 22-6 24 2M32 32c-8 10-22 6-24-2"
        stroke="#e0c8ff"
        stroke-width="2.5"
        fill="none"
        stroke-linecap="round"
      />
      <circle cx="32" cy="32" r="6" fill="#fff3c4" />
      <path
        d="m10 10 1 3 3 1-3 1-1 3-1-3-3-1 3-1zM52 50l1 2 2 1-2 1-1 2-1-2-2-1 2-1zM54 12l1 2 2 1-2 1-1 2-1-2-2-1 2-1z"
        fill="#fff"
      />
    </>
  ),
};

/** A gift box, for a gift this build does not know yet (the catalog is operator-configurable). */
const FALLBACK = () => (
  <>
    <path d="M8 26h48v10H8z" fill="#ff4f8b" />
    <path d="M12 36h40v22H12z" fill="#ff7aa8" />
    <path d="M28 26h8v32h-8z" fill="#ffd23f" />
    <path d="M32 26c-8-12-20-10-16-3 3 4 10 3 16 3 6 0 13 1 16-3 4-7-8-9-16 3z" fill="#ffd23f" />
  </>
);

/** A gift's art; without a gift id (or with one this build does not know), the gift box. */
export function GiftArt({ giftId, class: className }: { giftId?: string; class?: string }) {
  const known = giftId !== undefined && Object.hasOwn(GIFT_ART, giftId);
  const Art = known ? GIFT_ART[giftId]! : FALLBACK;
  return (
    <svg class={className} viewBox="0 0 64 64" aria-hidden="true" data-art={known ? giftId : 'fallback'}>
      <Art />
    </svg>
  );
}
