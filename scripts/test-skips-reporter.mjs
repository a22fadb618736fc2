// A node:test reporter that writes one JSON line per skipped or todo test ({ file, name, reason }):
// scripts/run-tests.mjs reads it to fail the run under RLVRC_REQUIRE_ALL_TESTS=1 (CI), where every test
// must run. (The spec reporter prints the same tests with "# SKIP"; this one is for counting them.)
export default async function* skips(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { skip, todo, name, file } = event.data;
    if (skip === undefined && todo === undefined) continue;
    if (skip === false && (todo === false || todo === undefined)) continue;
    const reason = typeof skip === 'string' ? skip : typeof todo === 'string' ? `todo: ${todo}` : todo !== undefined && todo !== false ? 'todo' : '';
    yield JSON.stringify({ file: file ?? null, name, reason }) + '\n';
  }
}
