// A node:test reporter that writes one JSON line per skipped or todo test ({ file, name, reason }):
// scripts/run-tests.mjs reads it to fail the run under RLVRC_REQUIRE_ALL_TESTS=1 (CI), where every test
// must run. (The spec reporter prints the same tests with "# SKIP"; this one is for counting them.)
export default async function* skips(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { skip, todo, name, file } = event.data;
    const skipped = skip !== undefined && skip !== false;
    const isTodo = todo !== undefined && todo !== false;
    if (!skipped && !isTodo) continue;
    const reason = typeof skip === 'string' ? skip : skipped ? '' : typeof todo === 'string' ? `todo: ${todo}` : 'todo';
    yield JSON.stringify({ file: file ?? null, name, reason }) + '\n';
  }
}
