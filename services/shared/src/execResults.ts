/** The replies of a MULTI/pipeline exec, in command order; throws its first error, or when the transaction was aborted. */
export function execResults(res: [Error | null, unknown][] | null): unknown[] {
  if (!res) throw new Error('transaction aborted');
  return res.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}
