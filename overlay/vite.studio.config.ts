import { resolve } from 'node:path';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

/** The studio: a second entry beside the overlay, its own bundle, served under /studio/. */
export default defineConfig({
  root: resolve(import.meta.dirname, 'studio'),
  base: '/studio/',
  plugins: [preact()],
  build: { outDir: resolve(import.meta.dirname, 'dist/studio'), emptyOutDir: true },
});
