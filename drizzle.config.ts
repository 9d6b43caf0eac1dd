// drizzle-kit reads this to generate SQL migrations into drizzle/ from every feature's schema.ts.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/*/schema.ts',
  out: './drizzle',
});
