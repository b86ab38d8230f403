// Prints the totals of a vitest JSON report as one plain line, "N passed, N failed, N skipped",
// and exits 1 when a test failed, was skipped, or none ran.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const passed = report.numPassedTests;
const failed = report.numFailedTests + (report.numFailedTestSuites ?? 0);
const skipped = report.numPendingTests + report.numTodoTests;

console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
if (skipped > 0) {
  for (const file of report.testResults) {
    for (const test of file.assertionResults) {
      if (test.status === 'pending' || test.status === 'skipped' || test.status === 'todo') {
        console.error(`skipped: ${file.name} > ${test.fullName}`);
      }
    }
  }
}
process.exit(failed > 0 || skipped > 0 || passed === 0 ? 1 : 0);
