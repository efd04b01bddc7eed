import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './node/store/schema.ts',
  out: './node/store/migrations',
});
