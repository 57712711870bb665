export default async function globalTeardown(): Promise<void> {
  await Promise.all((globalThis.__embeddedPostgres ?? []).map((instance) => instance.stop()));
  await globalThis.__templateDatabase?.drop();
}
