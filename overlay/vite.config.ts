import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/overlay/',
  plugins: [preact()],
  build: {
    outDir: 'dist/overlay',
    emptyOutDir: true,
    rolldownOptions: {
      // The shared package is pure (no import-time effects); without this, importing one helper from its
      // barrel would bundle every zod schema the worker uses.
      treeshake: { moduleSideEffects: (id: string) => !/[\\/]shared[\\/]src[\\/]/.test(id) },
    },
  },
});
