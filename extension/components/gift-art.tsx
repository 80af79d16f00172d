// Each gift's art, drawn inline so it needs no network, no emoji font and no web-accessible resources.
import type { JSX } from 'preact';

const ART: Record<string, JSX.Element> = {
  heart: <path d="M12 21s-7.5-4.6-9.6-9.2C.9 8.3 3 5 6.3 5c2.1 0 3.6 1.2 4.2 2.6h3C14.1 6.2 15.6 5 17.7 5 21 5 23.1 8.3 21.6 11.8 19.5 16.4 12 21 12 21z" fill="#ef4470" />,
  rose: (
    <g>
      <path d="M12 12v10" stroke="#2f9e44" stroke-width="2" />
      <path d="M12 17c-2-2-4-2-5-1 1 2 3 2 5 1z" fill="#2f9e44" />
      <circle cx="12" cy="8" r="5" fill="#e03131" />
      <path d="M9.5 7.5c1.5-2 3.5-2 5 0-1.5 1-3.5 1-5 0z" fill="#c92a2a" />
    </g>
  ),
  coffee: (
    <g>
      <rect x="4" y="9" width="12" height="11" rx="2" fill="#8d5a3b" />
      <path d="M16 11h2a3 3 0 0 1 0 6h-2" fill="none" stroke="#8d5a3b" stroke-width="2" />
      <path d="M8 3c-1 1.5 1 2.5 0 4M12 3c-1 1.5 1 2.5 0 4" stroke="#adb5bd" stroke-width="1.5" fill="none" />
    </g>
  ),
  star: <path d="M12 2l3 6.6 7.2.8-5.4 4.9 1.5 7.1L12 17.8 5.7 21.4l1.5-7.1L1.8 9.4 9 8.6z" fill="#fab005" />,
  pizza: (
    <g>
      <path d="M3 5c6-3 12-3 18 0L12 22z" fill="#ffd43b" />
      <path d="M3 5c6-3 12-3 18 0l-1 2.3C14.5 4.8 9.5 4.8 4 7.3z" fill="#e8590c" />
      <circle cx="10" cy="10" r="1.6" fill="#e03131" />
      <circle cx="14" cy="13" r="1.6" fill="#e03131" />
      <circle cx="11.5" cy="16" r="1.3" fill="#e03131" />
    </g>
  ),
  balloon: (
    <g>
      <ellipse cx="12" cy="9" rx="6" ry="7.5" fill="#4dabf7" />
      <path d="M12 16.5l-1 1.5h2zM12 18c-1 2 1 3 0 5" stroke="#868e96" fill="none" />
    </g>
  ),
  trophy: (
    <g>
      <path d="M7 3h10v5a5 5 0 0 1-10 0z" fill="#fcc419" />
      <path d="M7 5H4a3 3 0 0 0 3 4M17 5h3a3 3 0 0 1-3 4" fill="none" stroke="#fcc419" stroke-width="2" />
      <rect x="11" y="12" width="2" height="5" fill="#f59f00" />
      <rect x="7" y="17" width="10" height="4" rx="1" fill="#f59f00" />
    </g>
  ),
  diamond_ring: (
    <g>
      <circle cx="12" cy="15" r="6" fill="none" stroke="#fcc419" stroke-width="2.5" />
      <path d="M8.5 5l2-2.5h3l2 2.5L12 9z" fill="#74c0fc" />
    </g>
  ),
  fireworks: (
    <g stroke-width="2" stroke-linecap="round">
      <path d="M12 12L12 3M12 12l6.4-6.4M12 12h9M12 12l6.4 6.4M12 12v9M12 12l-6.4 6.4M12 12H3M12 12L5.6 5.6" stroke="#f06595" />
      <circle cx="12" cy="12" r="2.5" fill="#ffd43b" stroke="none" />
    </g>
  ),
  sports_car: (
    <g>
      <path d="M2 15l2-4 5-2h6l4 3 3 1v3H2z" fill="#fa5252" />
      <path d="M9.5 10h5l2.5 2H8z" fill="#d0ebff" />
      <circle cx="7" cy="17" r="2.3" fill="#343a40" />
      <circle cx="17.5" cy="17" r="2.3" fill="#343a40" />
    </g>
  ),
  castle: (
    <g fill="#9775fa">
      <path d="M3 10h4V7h2v3h6V7h2v3h4v11H3z" />
      <path d="M3 7h1.5v3H3zM5.5 7H7v3H5.5zM17 7h1.5v3H17zM19.5 7H21v3h-1.5z" />
      <path d="M10 21v-4a2 2 0 0 1 4 0v4z" fill="#5f3dc4" />
      <path d="M12 2v5" stroke="#5f3dc4" />
      <path d="M12 2h3l-1 1 1 1h-3z" fill="#e64980" />
    </g>
  ),
  rocket: (
    <g>
      <path d="M12 2c3 2.5 4.5 6 4.5 10v4h-9v-4C7.5 8 9 4.5 12 2z" fill="#e9ecef" stroke="#868e96" />
      <circle cx="12" cy="9.5" r="2" fill="#4dabf7" />
      <path d="M7.5 12L4 16v3l3.5-3zM16.5 12l3.5 4v3l-3.5-3z" fill="#fa5252" />
      <path d="M10 16.5h4l-2 5z" fill="#fd7e14" />
    </g>
  ),
  galaxy: (
    <g>
      <circle cx="12" cy="12" r="10" fill="#1c1b3a" />
      <ellipse cx="12" cy="12" rx="8" ry="3.2" fill="none" stroke="#b197fc" stroke-width="1.6" transform="rotate(-25 12 12)" />
      <ellipse cx="12" cy="12" rx="5" ry="1.8" fill="none" stroke="#e599f7" stroke-width="1.2" transform="rotate(35 12 12)" />
      <circle cx="12" cy="12" r="1.8" fill="#fff3bf" />
      <circle cx="6" cy="7" r=".7" fill="#fff" />
      <circle cx="18" cy="17" r=".7" fill="#fff" />
    </g>
  ),
};

const GENERIC = (
  <g>
    <rect x="3" y="9" width="18" height="12" rx="1.5" fill="#f783ac" />
    <rect x="2" y="6" width="20" height="4" rx="1" fill="#e64980" />
    <rect x="11" y="6" width="2" height="15" fill="#ffd43b" />
  </g>
);

export function GiftArt({ id, size = 32 }: { id: string; size?: number }) {
  return (
    <svg class="gift-art" viewBox="0 0 24 24" width={size} height={size} aria-hidden="true">
      {ART[id] ?? GENERIC}
    </svg>
  );
}
