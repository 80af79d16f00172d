import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/overlay/',
  plugins: [preact()],
  build: { outDir: 'dist/overlay', emptyOutDir: true },
});
