import fs from 'node:fs';
import path from 'node:path';

/** The project's contracts: shared/contracts beside the repository's checkout (not part of it). */
const CONTRACTS_DIR = path.resolve(__dirname, '../../../../../shared/contracts');

/** The path of one contract file; a clear error when the shared folder is not beside the checkout. */
export function contractFile(name: string): string {
  const file = path.join(CONTRACTS_DIR, name);
  if (!fs.existsSync(file)) {
    throw new Error(`contract ${name} not found at ${file}: the tests need the project's shared/ folder beside this checkout`);
  }
  return file;
}
